import assert from 'node:assert/strict';
import { createECDH, createHash, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { verifyByTrustedKey } from '../../src/crypto/index.js';
import { loadNativeDigestVerify } from '../../src/crypto/digest-verify-native.js';

// The fixed-base ECDSA path of the native addon (native/ecdsa_fixed.c) must give OpenSSL's own answer on every
// input: node:crypto's verify over the data, or the addon's EVP verify over the digest, is the oracle.
const native = loadNativeDigestVerify();
const fixedAvailable = !!native?.loadFixedKey && !!native.verifyFixed;

const CURVES = {
  'P-256': { n: BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'), size: 32 },
  'P-384': { n: BigInt('0x' + 'f'.repeat(48) + 'c7634d81f4372ddf581a0db248b0a77aecec196accc52973'), size: 48 },
  'P-521': {
    n: BigInt('0x1' + 'f'.repeat(128 - 64) + 'fa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409'),
    size: 66,
  },
} as const;
type CurveName = keyof typeof CURVES;

const MD = { sha256: 0, sha384: 1, sha512: 2 } as const;
type Hash = keyof typeof MD;

const mod = (a: bigint, n: bigint) => ((a % n) + n) % n;
function inverse(a: bigint, n: bigint): bigint {
  let [r0, r1, t0, t1] = [n, mod(a, n), 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, t0, t1] = [r1, r0 - q * r1, t1, t0 - q * t1];
  }
  return mod(t0, n);
}
const toBig = (b: Buffer) => BigInt('0x' + (b.toString('hex') || '0'));
const toBytes = (v: bigint, size: number) => Buffer.from(v.toString(16).padStart(size * 2, '0'), 'hex');

/** A DER INTEGER as OpenSSL writes it (minimal, a 00 in front of a high bit), or raw content bytes as given. */
function derInteger(v: bigint | Buffer): Buffer {
  let body: Buffer;
  if (Buffer.isBuffer(v)) body = v;
  else {
    let hex = v.toString(16);
    if (hex.length % 2) hex = '0' + hex;
    body = Buffer.from(hex, 'hex');
    if (body[0]! & 0x80) body = Buffer.concat([Buffer.from([0]), body]);
  }
  return Buffer.concat([Buffer.from([0x02]), derLength(body.length), body]);
}
const derLength = (n: number) => (n < 0x80 ? Buffer.from([n]) : Buffer.from([0x81, n]));
const derSig = (r: bigint | Buffer, s: bigint | Buffer) => {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30]), derLength(body.length), body]);
};
function readSig(sig: Buffer): { r: bigint; s: bigint } {
  let at = sig[1]! & 0x80 ? 3 : 2;
  const rLen = sig[at + 1]!;
  const r = toBig(sig.subarray(at + 2, at + 2 + rLen));
  at += 2 + rLen;
  return { r, s: toBig(sig.subarray(at + 2, at + 2 + sig[at + 1]!)) };
}

interface Signer {
  curve: CurveName;
  publicKey: KeyObject;
  privateKey: KeyObject;
  d: bigint;
  fixed: object;
  evp: object;
}

function signer(curve: CurveName): Signer {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const d = toBig(Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url'));
  return { curve, publicKey, privateKey, d, fixed: native!.loadFixedKey!(spki), evp: native!.loadKey(spki) };
}

/** The fixed-base answer, asserted equal to OpenSSL's EVP verify over the same digest. */
function fixedVerify(k: Signer, hash: Hash, digest: Buffer, sig: Buffer): boolean {
  const got = native!.verifyFixed!(k.fixed, digest, sig);
  assert.equal(got, native!.verify(k.evp, MD[hash], digest, sig), 'fixed-base and OpenSSL disagree');
  return got;
}

test('fixed-base ECDSA agrees with OpenSSL on good, tampered and foreign signatures', (t) => {
  if (!fixedAvailable) return t.skip('the native addon (with loadFixedKey) is not built');
  for (const curve of Object.keys(CURVES) as CurveName[]) {
    const k = signer(curve);
    const other = signer(curve);
    for (const hash of ['sha256', 'sha384', 'sha512'] as Hash[]) {
      for (let i = 0; i < 40; i++) {
        const data = Buffer.from(`message ${curve} ${hash} ${i}`);
        const digest = createHash(hash).update(data).digest();
        const sig = sign(hash, data, k.privateKey);
        assert.ok(fixedVerify(k, hash, digest, sig), `${curve}/${hash} #${i} verifies`);
        assert.ok(!fixedVerify(other, hash, digest, sig), 'another key');
        const flipped = Buffer.from(digest);
        flipped[i % flipped.length]! ^= 1 << (i % 8);
        fixedVerify(k, hash, flipped, sig); // bits beyond the order's length do not count: OpenSSL decides
        const bad = Buffer.from(sig);
        bad[6 + (i % (bad.length - 6))]! ^= 0x20;
        assert.ok(!fixedVerify(k, hash, digest, bad), 'a flipped signature bit');
        assert.ok(!fixedVerify(k, hash, digest, Buffer.concat([sig, Buffer.from([0])])), 'a trailing byte');
        assert.ok(!fixedVerify(k, hash, digest, sig.subarray(0, sig.length - 1)), 'truncated');
      }
    }
  }
});

test('fixed-base ECDSA: out-of-range, non-minimal and negative integers fail as in OpenSSL; high S verifies', (t) => {
  if (!fixedAvailable) return t.skip('the native addon (with loadFixedKey) is not built');
  for (const curve of Object.keys(CURVES) as CurveName[]) {
    const { n } = CURVES[curve];
    const k = signer(curve);
    const digest = createHash('sha384').update('edge cases').digest();
    const { r, s } = readSig(sign('sha384', Buffer.from('edge cases'), k.privateKey));
    assert.ok(fixedVerify(k, 'sha384', digest, derSig(r, s)), 'the signature re-encoded by the test verifies');
    assert.ok(fixedVerify(k, 'sha384', digest, derSig(r, n - s)), 'high S is a valid ECDSA signature');
    for (const [what, sig] of [
      ['r = 0', derSig(0n, s)],
      ['s = 0', derSig(r, 0n)],
      ['r = n', derSig(n, s)],
      ['s = n', derSig(r, n)],
      ['r + n', derSig(r + n, s)],
      ['s + n', derSig(r, s + n)],
      ['non-minimal r', derSig(Buffer.concat([Buffer.from([0, 0]), toBytes(r, CURVES[curve].size)]), s)],
      ['negative s', derSig(r, Buffer.concat([Buffer.from([0xff]), toBytes(s, CURVES[curve].size)]))],
      ['empty', Buffer.alloc(0)],
    ] as const) {
      assert.ok(!fixedVerify(k, 'sha384', digest, sig), what);
    }
  }
});

test('fixed-base ECDSA: u1*G = -u2*Q (the point at infinity) fails; u1*G = u2*Q (a doubling) verifies', (t) => {
  if (!fixedAvailable) return t.skip('the native addon (with loadFixedKey) is not built');
  // A digest as long as the order is e itself, so the test can choose it (P-521's order is longer than SHA-512).
  for (const [curve, hash, ecdhCurve] of [
    ['P-256', 'sha256', 'prime256v1'],
    ['P-384', 'sha384', 'secp384r1'],
  ] as const) {
    const { n, size } = CURVES[curve];
    const k = signer(curve);
    // e + r*d = 0: u1*G + u2*Q = (e + r*d)/s * G is the point at infinity.
    const r = 12345n;
    assert.ok(!fixedVerify(k, hash, toBytes(mod(-r * k.d, n), size), derSig(r, 777n)), `${curve}: infinity`);
    // e = r*d makes u1*G = u2*Q and the sum 2e/s * G; pick t, r = x(tG) mod n, s = 2rd/t: a valid signature.
    const tScalar = 0x1234567890abcdefn;
    const ecdh = createECDH(ecdhCurve);
    ecdh.setPrivateKey(toBytes(tScalar, size));
    const rt = mod(toBig(ecdh.getPublicKey().subarray(1, 1 + size)), n);
    const st = mod(2n * rt * k.d * inverse(tScalar, n), n);
    assert.ok(fixedVerify(k, hash, toBytes(mod(rt * k.d, n), size), derSig(rt, st)), `${curve}: the doubling case`);
  }
});

test('fuzz: garbage signatures and digests return false, never throw', (t) => {
  if (!fixedAvailable) return t.skip('the native addon (with loadFixedKey) is not built');
  const keys = [signer('P-256'), signer('P-384'), signer('P-521')];
  fc.assert(
    fc.property(
      fc.nat(keys.length - 1),
      fc.constantFrom<Hash>('sha256', 'sha384', 'sha512'),
      fc.uint8Array({ maxLength: 80 }),
      fc.uint8Array({ maxLength: 200 }),
      (i, hash, digest, sig) => {
        assert.equal(fixedVerify(keys[i]!, hash, Buffer.from(digest), Buffer.from(sig)), false);
      },
    ),
    { numRuns: 300, seed: 7 },
  );
});

test('loadFixedKey refuses keys that are not ECDSA keys, and points off the curve', (t) => {
  if (!fixedAvailable) return t.skip('the native addon (with loadFixedKey) is not built');
  const spki = (key: KeyObject) => key.export({ type: 'spki', format: 'der' });
  for (const key of [
    generateKeyPairSync('ed25519').publicKey,
    generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey,
  ]) {
    assert.throws(() => native!.loadFixedKey!(spki(key)), /loadFixedKey/, key.asymmetricKeyType);
  }
  for (const curve of ['P-256', 'P-384']) {
    const offCurve = spki(generateKeyPairSync('ec', { namedCurve: curve }).publicKey);
    offCurve[offCurve.length - 1]! ^= 1; // y + 1 or y - 1: not on the curve
    assert.throws(() => native!.loadFixedKey!(offCurve), /loadFixedKey/, curve);
  }
});

test('verifyByTrustedKey gives node:crypto verify answers, before and after a key gets its tables (512 uses)', () => {
  const keys = [
    generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    generateKeyPairSync('ec', { namedCurve: 'P-521' }),
    generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    generateKeyPairSync('ed25519'),
    generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ];
  for (const { publicKey, privateKey } of keys) {
    const hash = publicKey.asymmetricKeyType === 'ed25519' ? null : 'sha384';
    for (let i = 0; i < 180; i++) {
      const data = Buffer.from(`certificate ${i}`);
      const sig = sign(hash, data, privateKey);
      const bad = Buffer.from(sig);
      bad[bad.length - 2]! ^= 4;
      assert.equal(verifyByTrustedKey(hash, data, publicKey, sig), true, `#${i} verifies`);
      assert.equal(verifyByTrustedKey(hash, data, publicKey, bad), verify(hash, data, publicKey, bad), `#${i} bad`);
      assert.equal(verifyByTrustedKey(hash, Buffer.from('other'), publicKey, sig), false, `#${i} other data`);
    }
  }
});
