import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { SignetError } from '../../src/errors.js';
import { assertAcceptableKey, describeKey, keyDetails, parsePublicKey, publicKeyDer } from '../../src/crypto/index.js';
import { hasProgram } from '../helpers/env.js';

const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });

test('parsePublicKey reads PEM SPKI, PEM PKCS#1, DER SPKI and DER PKCS#1', () => {
  const der = publicKeyDer(p256.publicKey);
  const same = (k: KeyObject, want: KeyObject) => assert.ok(publicKeyDer(k).equals(publicKeyDer(want)));
  same(parsePublicKey(p256.publicKey.export({ type: 'spki', format: 'pem' }) as string), p256.publicKey);
  same(parsePublicKey(Buffer.from(p256.publicKey.export({ type: 'spki', format: 'pem' }) as string)), p256.publicKey);
  same(parsePublicKey(der), p256.publicKey);
  same(parsePublicKey(new Uint8Array(der)), p256.publicKey);
  same(parsePublicKey(rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string), rsa.publicKey);
  same(parsePublicKey(rsa.publicKey.export({ type: 'pkcs1', format: 'der' })), rsa.publicKey);
  // A PEM with surrounding text (as in a cosign.pub with a comment) and CRLF line ends.
  const crlf = (p256.publicKey.export({ type: 'spki', format: 'pem' }) as string).replace(/\n/g, '\r\n');
  same(parsePublicKey(`key for ci\r\n${crlf}`), p256.publicKey);
});

test('parsePublicKey takes the key out of a PEM or DER certificate', (t) => {
  if (!hasProgram('openssl', 'version')) return t.skip('openssl is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'signet-keys-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-384',
        '-nodes',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
        '-subj',
        '/CN=signet test',
        '-days',
        '1',
      ],
      { stdio: 'ignore' },
    );
    execFileSync('openssl', ['x509', '-in', join(dir, 'c.pem'), '-outform', 'DER', '-out', join(dir, 'c.der')]);
    const fromPem = parsePublicKey(readFileSync(join(dir, 'c.pem'), 'utf8'));
    const fromDer = parsePublicKey(readFileSync(join(dir, 'c.der')));
    assert.deepEqual(describeKey(fromPem), { type: 'ecdsa', curve: 'P-384' });
    assert.ok(publicKeyDer(fromPem).equals(publicKeyDer(fromDer)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('garbage and private keys are rejected with a clear invalid-input error', () => {
  const cases: [string | Uint8Array, RegExp][] = [
    ['', /not PEM/],
    ['hello', /not PEM/],
    ['-----BEGIN PUBLIC KEY-----\nAAAA\n', /no matching -----END/],
    ['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', /not a valid SPKI/],
    ['-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', /not a valid X\.509/],
    [p256.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, /found a PEM PRIVATE KEY/],
    ['-----BEGIN FOO-----\nAAAA\n-----END FOO-----\n', /"FOO" is not a public key/],
    [Buffer.alloc(0), /neither PEM nor DER/],
    [Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), /DER is not/],
  ];
  for (const [input, message] of cases) {
    assert.throws(() => parsePublicKey(input), { code: 'invalid-input', message }, String(input));
  }
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.uint8Array()), (input) => {
      try {
        parsePublicKey(input);
      } catch (e) {
        assert.ok(e instanceof SignetError);
      }
    }),
    { numRuns: 500, seed: 1 },
  );
});

test('describeKey, assertAcceptableKey and keyDetails for every supported and some unsupported keys', () => {
  const table: [KeyObject, ReturnType<typeof describeKey>, string][] = [
    [p256.publicKey, { type: 'ecdsa', curve: 'P-256' }, 'PKIX_ECDSA_P256_SHA_256'],
    [
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey,
      { type: 'ecdsa', curve: 'P-384' },
      'PKIX_ECDSA_P384_SHA_384',
    ],
    [
      generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey,
      { type: 'ecdsa', curve: 'P-521' },
      'PKIX_ECDSA_P521_SHA_512',
    ],
    [generateKeyPairSync('ed25519').publicKey, { type: 'ed25519' }, 'PKIX_ED25519'],
    [rsa.publicKey, { type: 'rsa', bits: 2048 }, 'PKIX_RSA_PKCS1V15_2048_SHA256'],
    [
      generateKeyPairSync('rsa', { modulusLength: 3072 }).publicKey,
      { type: 'rsa', bits: 3072 },
      'PKIX_RSA_PKCS1V15_3072_SHA256',
    ],
  ];
  for (const [key, description, details] of table) {
    assert.deepEqual(describeKey(key), description);
    assertAcceptableKey(key);
    assert.equal(keyDetails(key), details);
  }
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
  assert.throws(() => assertAcceptableKey(small), { code: 'unsupported', message: /1024 bits/ });
  const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey;
  assert.throws(() => assertAcceptableKey(k1), { code: 'unsupported', message: /secp256k1/ });
  const ed448 = generateKeyPairSync('ed448').publicKey;
  assert.throws(() => assertAcceptableKey(ed448), { code: 'unsupported', message: /ed448/ });
  const mid = generateKeyPairSync('rsa', { modulusLength: 2560 }).publicKey;
  assertAcceptableKey(mid);
  assert.throws(() => keyDetails(mid), { code: 'unsupported' });
});
