import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { digestVerifyBackend, verifyDigestSignature, type DigestHash } from '../../src/crypto/index.js';
import { verifyDigestJs } from '../../src/crypto/digest-verify-js.js';
import { repoRoot } from '../helpers/env.js';

const data = Buffer.from('the artifact: any bytes the signer hashed');

const cases: { name: string; key: ReturnType<typeof generateKeyPairSync>; hashes: DigestHash[] }[] = [
  { name: 'P-256', key: generateKeyPairSync('ec', { namedCurve: 'P-256' }), hashes: ['sha256', 'sha384', 'sha512'] },
  { name: 'P-384', key: generateKeyPairSync('ec', { namedCurve: 'P-384' }), hashes: ['sha384', 'sha256'] },
  { name: 'P-521', key: generateKeyPairSync('ec', { namedCurve: 'P-521' }), hashes: ['sha512', 'sha256'] },
  {
    name: 'RSA-2048',
    key: generateKeyPairSync('rsa', { modulusLength: 2048 }),
    hashes: ['sha256', 'sha384', 'sha512'],
  },
  { name: 'RSA-3072', key: generateKeyPairSync('rsa', { modulusLength: 3072 }), hashes: ['sha256'] },
  { name: 'RSA-4096', key: generateKeyPairSync('rsa', { modulusLength: 4096 }), hashes: ['sha256'] },
];

/** Both implementations must give the same answer on every input. */
function both(key: KeyObject, hash: DigestHash, digest: Buffer, sig: Buffer): boolean {
  const a = verifyDigestSignature(key, hash, digest, sig);
  const b = verifyDigestJs(key, hash, digest, sig);
  assert.equal(a, b, 'the active backend and the JavaScript fallback disagree');
  return a;
}

test('the native backend is active where the addon was built', () => {
  const built = existsSync(join(repoRoot, 'build', 'Release', 'signet_digest_verify.node'));
  assert.equal(digestVerifyBackend(), built && process.env.SIGNET_DIGEST_VERIFY !== 'js' ? 'native' : 'js');
});

for (const { name, key, hashes } of cases) {
  test(`${name}: signatures made by node:crypto over the data verify over its digest`, () => {
    const other =
      key.publicKey.asymmetricKeyType === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey
        : generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    for (const hash of hashes) {
      const sig = sign(hash, data, key.privateKey);
      const digest = createHash(hash).update(data).digest();
      assert.ok(both(key.publicKey, hash, digest, sig), `${hash} verifies`);
      assert.ok(
        verifyDigestSignature(key.privateKey, hash, digest, sig),
        'a private key verifies through its public half',
      );
      const flipped = Buffer.from(digest);
      flipped[5]! ^= 0x10;
      assert.ok(!both(key.publicKey, hash, flipped, sig), 'wrong digest');
      const badSig = Buffer.from(sig);
      badSig[badSig.length - 3]! ^= 0x01;
      assert.ok(!both(key.publicKey, hash, digest, badSig), 'flipped signature bit');
      assert.ok(!both(other, hash, digest, sig), 'wrong key');
      assert.ok(!both(key.publicKey, hash, digest.subarray(1), sig), 'short digest');
      assert.ok(!both(key.publicKey, hash, digest, sig.subarray(0, sig.length - 1)), 'truncated signature');
      assert.ok(!both(key.publicKey, hash, digest, Buffer.alloc(0)), 'empty signature');
      assert.ok(!both(key.publicKey, hash, digest, Buffer.concat([sig, Buffer.from([0])])), 'trailing byte');
      // The digest must be the one the signature names: the same bytes under another hash do not verify.
      const otherHash: DigestHash = hash === 'sha256' ? 'sha512' : 'sha256';
      assert.ok(!verifyDigestSignature(key.publicKey, otherHash, createHash(otherHash).update(data).digest(), sig));
    }
  });
}

test('ECDSA signatures in IEEE P1363 form and other encodings are rejected', () => {
  const { privateKey, publicKey } = cases[0]!.key;
  const digest = createHash('sha256').update(data).digest();
  const p1363 = sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  assert.ok(!both(publicKey, 'sha256', digest, p1363));
});

test('fuzz: garbage signatures and digests return false, never throw', () => {
  const keys = cases.map((c) => c.key.publicKey);
  fc.assert(
    fc.property(
      fc.nat(keys.length - 1),
      fc.constantFrom<DigestHash>('sha256', 'sha384', 'sha512'),
      fc.uint8Array({ maxLength: 80 }),
      fc.uint8Array({ maxLength: 600 }),
      (k, hash, digest, sig) => {
        assert.equal(both(keys[k]!, hash, Buffer.from(digest), Buffer.from(sig)), false);
      },
    ),
    { numRuns: 300, seed: 99 },
  );
  assert.equal(verifyDigestSignature(keys[0]!, 'md5' as DigestHash, Buffer.alloc(16), Buffer.alloc(70)), false);
});

test('keys that cannot verify a bare digest are refused as unsupported', () => {
  const ed = generateKeyPairSync('ed25519').publicKey;
  assert.throws(() => verifyDigestSignature(ed, 'sha512', Buffer.alloc(64), Buffer.alloc(64)), { code: 'unsupported' });
});

test('one key verifies good and bad signatures in any order (the cached verify context keeps no state)', () => {
  for (const { key } of [cases[0]!, cases[3]!]) {
    const digest = createHash('sha256').update(data).digest();
    const sig = sign('sha256', data, key.privateKey);
    const bad = Buffer.from(sig);
    bad[bad.length - 1]! ^= 1;
    for (let i = 0; i < 50; i++) {
      assert.equal(verifyDigestSignature(key.publicKey, 'sha256', digest, i % 3 === 0 ? bad : sig), i % 3 !== 0);
      assert.equal(verifyDigestSignature(key.publicKey, 'sha256', Buffer.alloc(32, i), sig), false);
    }
  }
});
