import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  minisignKeyText,
  minisignSignatureText,
  parseMinisignPublicKey,
  parseMinisignSignature,
  verifyMinisign,
} from '../../src/crypto/minisign.js';
import { fixture } from '../log/types/tools.js';

test("Rekor's minisign fixtures: both key forms, legacy and prehashed signatures", () => {
  const message = fixture('minisign', 'hello_world.txt');
  const key = parseMinisignPublicKey(fixture('minisign', 'minisign.pub'));
  assert.equal(key.keyId.toString('hex'), Buffer.from('9D92931126AE543F', 'hex').reverse().toString('hex'));
  assert.deepEqual(parseMinisignPublicKey(fixture('minisign', 'minisign_key_only.pub')), key);
  const legacy = parseMinisignSignature(fixture('minisign', 'hello_world.txt.minisig'));
  assert.equal(legacy.algorithm.toString(), 'Ed');
  assert.ok(verifyMinisign(legacy, key, message));
  assert.ok(!verifyMinisign(legacy, key, Buffer.from('tampered')));
  const hashedKey = parseMinisignPublicKey(fixture('minisign', 'minisign_hashed.pub'));
  const hashed = parseMinisignSignature(fixture('minisign', 'hello_world_hashed.txt.minisig'));
  assert.equal(hashed.algorithm.toString(), 'ED');
  assert.ok(verifyMinisign(hashed, hashedKey, message));
  // The two-line form (what Rekor stores) parses back to the same signature.
  assert.deepEqual(parseMinisignSignature(Buffer.from(minisignSignatureText(hashed))), hashed);
  assert.equal(minisignKeyText(key), fixture('minisign', 'minisign.pub').toString().split('\n')[1]);
});

test('a raw 32-byte Ed25519 key is accepted with a zero key ID; a fresh prehashed signature verifies', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const key = parseMinisignPublicKey(raw);
  assert.equal(key.keyId.toString('hex'), '0000000000000000');
  const msg = Buffer.from('data');
  const sig = sign(null, createHash('blake2b512').update(msg).digest(), privateKey);
  const line = Buffer.concat([Buffer.from('ED'), key.keyId, sig]).toString('base64');
  assert.ok(verifyMinisign(parseMinisignSignature(Buffer.from(`untrusted comment: x\n${line}\n`)), key, msg));
});

test('malformed keys and signatures throw an Error', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      for (const parse of [parseMinisignPublicKey, parseMinisignSignature]) {
        try {
          parse(Buffer.from(bytes));
        } catch (e) {
          assert.ok(e instanceof Error);
        }
      }
    }),
  );
  assert.throws(() => parseMinisignSignature(Buffer.from('one line only')), /lines detected/);
  assert.throws(() => parseMinisignPublicKey(Buffer.from('untrusted comment\nnot base64!')), /minisign public key/);
});
