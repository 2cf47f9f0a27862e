import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync, scryptSync, sign, verify } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { decryptCosignKey, encryptCosignKey, isCosignEncryptedKey } from '../../src/crypto/cosign-key.js';
import { importPrivateKey, loadPrivateKey } from '../../src/crypto/cosign-key-file.js';
import { isSignetError } from '../../src/errors.js';
import { fixturesDir } from '../helpers/env.js';

const vector = (name: string) => readFileSync(join(fixturesDir, 'cosign-keys', name), 'utf8');

for (const name of ['pemsigstorekey.key', 'pemcosigneckey.key', 'pemcosignkey.key']) {
  test(`cosign's ${name} opens with password hello and signs`, async () => {
    const key = await decryptCosignKey(vector(name), 'hello', name);
    const message = Buffer.from('signed by a key cosign made');
    const hash = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    const signature = sign(hash, message, key);
    assert.ok(verify(hash, message, createPublicKey(key), signature));
  });
}

test('a wrong password names the file and nothing secret', async () => {
  await assert.rejects(decryptCosignKey(vector('pemsigstorekey.key'), 'hello2', 'cosign.key'), (e) => {
    assert.ok(isSignetError(e, 'unauthenticated'));
    assert.equal(e.message, 'wrong password for cosign.key');
    assert.ok(!e.message.includes('hello'));
    return true;
  });
});

test('the written format: label, JSON fields in Go order, scrypt N=65536 r=8 p=1, 32-byte salt, 24-byte nonce', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = await encryptCosignKey(privateKey, 'pw');
  assert.ok(pem.startsWith('-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n'));
  assert.ok(pem.endsWith('-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n'));
  const lines = pem.trim().split('\n').slice(1, -1);
  assert.ok(lines.every((l, i) => (i < lines.length - 1 ? l.length === 64 : l.length <= 64)));
  const body = Buffer.from(lines.join(''), 'base64').toString('utf8');
  assert.match(
    body,
    /^\{"kdf":\{"name":"scrypt","params":\{"N":65536,"r":8,"p":1\},"salt":"[^"]+"\},"cipher":\{"name":"nacl\/secretbox","nonce":"[^"]+"\},"ciphertext":"[^"]+"\}$/,
  );
  const j = JSON.parse(body);
  assert.equal(Buffer.from(j.kdf.salt, 'base64').length, 32);
  assert.equal(Buffer.from(j.cipher.nonce, 'base64').length, 24);
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  assert.equal(Buffer.from(j.ciphertext, 'base64').length, der.length + 16); // Poly1305 tag + XSalsa20 stream
  assert.ok(isCosignEncryptedKey(pem));
});

test('encrypt then decrypt gives the same key back for random passwords (property)', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const der = privateKey.export({ type: 'pkcs8', format: 'der' });
  await fc.assert(
    fc.asyncProperty(
      fc.string({ maxLength: 40 }),
      fc.string({ minLength: 1, maxLength: 5 }),
      async (password, extra) => {
        const pem = await encryptCosignKey(privateKey, password, { scryptN: 32768 });
        const back = await decryptCosignKey(pem, password);
        assert.ok(back.export({ type: 'pkcs8', format: 'der' }).equals(der));
        await assert.rejects(decryptCosignKey(pem, password + extra), /wrong password/);
      },
    ),
    { numRuns: 4 },
  );
});

test('RSA and Ed25519 keys round trip; the old COSIGN label is read', async () => {
  for (const [type, opts] of [
    ['rsa', { modulusLength: 2048 }],
    ['ed25519', {}],
  ] as const) {
    const { privateKey } = generateKeyPairSync(type as 'rsa', opts as { modulusLength: number });
    const pem = await encryptCosignKey(privateKey, '', { label: 'ENCRYPTED COSIGN PRIVATE KEY', scryptN: 32768 });
    assert.ok(pem.includes('BEGIN ENCRYPTED COSIGN PRIVATE KEY'));
    const back = await decryptCosignKey(pem, '');
    assert.equal(back.asymmetricKeyType, type);
  }
});

test('malformed key files fail with one clear invalid-input error', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const good = await encryptCosignKey(privateKey, 'x', { scryptN: 32768 });
  const body = JSON.parse(Buffer.from(good.split('\n').slice(1, -2).join(''), 'base64').toString());
  const wrap = (obj: unknown) =>
    `-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n${Buffer.from(JSON.stringify(obj)).toString('base64')}\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n`;
  const cases: Array<[string, string]> = [
    ['', /no ENCRYPTED SIGSTORE/.source],
    ['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', /no ENCRYPTED SIGSTORE/.source],
    [wrap('nope').replace(Buffer.from('"nope"').toString('base64'), 'bm90IGpzb24='), /not JSON/.source],
    [wrap({ ...body, kdf: { ...body.kdf, name: 'argon2' } }), /unsupported key derivation/.source],
    [
      wrap({ ...body, kdf: { ...body.kdf, params: { N: 1 << 24, r: 8, p: 1 } } }),
      /unsupported scrypt parameters/.source,
    ],
    [wrap({ ...body, cipher: { name: 'aes', nonce: body.cipher.nonce } }), /unsupported cipher/.source],
    [wrap({ ...body, cipher: { ...body.cipher, nonce: 'AAAA' } }), /nonce/.source],
    [wrap({ ...body, ciphertext: '!!' }), /ciphertext is not base64/.source],
    [good.replace('-----END ENCRYPTED SIGSTORE', '-----END ENCRYPTED COSIGN'), /labels differ/.source],
  ];
  for (const [text, want] of cases) {
    await assert.rejects(decryptCosignKey(text, 'x', 'k.key'), (e) => {
      assert.ok(isSignetError(e, 'invalid-input'), String(e));
      assert.match(e.message, new RegExp(want));
      return true;
    });
  }
});

test('plain PEM keys: PKCS#1, SEC1 and PKCS#8 import; cosign goodkey rules refuse weak or odd keys', async () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  const pkcs1 = rsa.export({ type: 'pkcs1', format: 'pem' }).toString();
  const sec1 = ec.export({ type: 'sec1', format: 'pem' }).toString();
  const pkcs8 = ec.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.equal(importPrivateKey(pkcs1, 'a').asymmetricKeyType, 'rsa');
  assert.equal(importPrivateKey(sec1, 'b').asymmetricKeyDetails?.namedCurve, 'secp384r1');
  assert.equal(importPrivateKey(pkcs8, 'c').asymmetricKeyType, 'ec');
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' });
  assert.throws(() => importPrivateKey(small.toString(), 'small.pem'), /RSA keys must be 2048 to 4096 bits, got 1024/);
  const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey.export({ type: 'sec1', format: 'pem' });
  assert.throws(() => importPrivateKey(k1.toString(), 'k1.pem'), /unsupported elliptic curve secp256k1/);
  assert.throws(() => importPrivateKey('junk', 'junk.pem'), /no private key PEM block/);
  // loadPrivateKey asks for a password only for cosign keys
  let asked = 0;
  const pw = async () => (asked++, 'x');
  await loadPrivateKey(pkcs8, pw, 'c');
  assert.equal(asked, 0);
  await loadPrivateKey(await encryptCosignKey(ec, 'x', { scryptN: 32768 }), pw, 'd');
  assert.equal(asked, 1);
});

/** cosign's format rules written out independently: PEM -> JSON -> scrypt(N,r,p) -> secretbox open -> PKCS#8. */
function openByTheRules(pem: string, password: string): Buffer {
  const m =
    /^-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n([\s\S]+)\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n$/.exec(
      pem,
    );
  assert.ok(m);
  const j = JSON.parse(Buffer.from(m[1]!.replace(/\n/g, ''), 'base64').toString('utf8'));
  const { N, r, p } = j.kdf.params;
  const key = scryptSync(Buffer.from(password, 'utf8'), Buffer.from(j.kdf.salt, 'base64'), 32, {
    N,
    r,
    p,
    maxmem: 512 * 1024 * 1024,
  });
  const der = xsalsa20poly1305(key, Buffer.from(j.cipher.nonce, 'base64')).decrypt(Buffer.from(j.ciphertext, 'base64'));
  return Buffer.from(der);
}

test('a key signet writes opens by the format rules alone, for random passwords (property)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.string({ maxLength: 24, unit: 'grapheme' }), async (password) => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pem = await encryptCosignKey(privateKey, password);
      const der = openByTheRules(pem, password);
      assert.ok(der.equals(privateKey.export({ type: 'pkcs8', format: 'der' })));
      assert.equal(der.length, 138); // cosign.md: a P-256 PKCS#8 key is 138 bytes, starting 30 81 87 02 01 00
      assert.equal(der.subarray(0, 6).toString('hex'), '308187020100');
      assert.equal(createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).asymmetricKeyType, 'ec');
    }),
    { numRuns: 3 },
  );
});
