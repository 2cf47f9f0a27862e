import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { test } from 'node:test';
import { spkiDer } from '../../src/ca/certificate/spki.js';

test("spkiDer writes the same bytes as OpenSSL's SPKI export for every key type a leaf can carry", () => {
  const keys: [string, KeyObject][] = [
    ...(['P-256', 'P-384', 'P-521'] as const).map((c): [string, KeyObject] => [
      c,
      generateKeyPairSync('ec', { namedCurve: c }).publicKey,
    ]),
    ['Ed25519', generateKeyPairSync('ed25519').publicKey],
    ...[2048, 3072, 4096].map((bits): [string, KeyObject] => [
      `RSA-${bits}`,
      generateKeyPairSync('rsa', { modulusLength: bits }).publicKey,
    ]),
    ['RSA e=3', generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 }).publicKey],
    ['secp256k1 (fallback)', generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).publicKey],
  ];
  for (let round = 0; round < 4; round++) {
    for (const [name, key] of keys) assert.deepEqual(spkiDer(key), key.export({ format: 'der', type: 'spki' }), name);
  }
});
