import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { ecPointKey, type EcCurve } from '../../src/crypto/index.js';
import { isSignetError } from '../../src/errors.js';
import { loadNativeDigestVerify } from '../../src/crypto/digest-verify-native.js';

// A leaf certificate's key as the native addon holds it (native/ecdsa_point.c): node:crypto is the oracle.
const available = !!loadNativeDigestVerify()?.verifyEcPoint;
const CURVES: [EcCurve, 'sha256' | 'sha384' | 'sha512'][] = [
  ['P-256', 'sha256'],
  ['P-384', 'sha384'],
  ['P-521', 'sha512'],
];

function keyPair(curve: EcCurve) {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: curve });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return { publicKey, privateKey, point };
}

test('an EC point key verifies what node:crypto verifies, and nothing else', (t) => {
  if (!available) return t.skip('the native addon (with loadEcPoint) is not built');
  for (const [curve, hash] of CURVES) {
    const { privateKey, point } = keyPair(curve);
    const key = ecPointKey(curve, point)!;
    assert.equal(key.hash, hash);
    const other = ecPointKey(curve, keyPair(curve).point)!;
    for (let i = 0; i < 20; i++) {
      const data = Buffer.from(`artifact ${curve} ${i}`);
      const digest = createHash(hash).update(data).digest();
      const sig = sign(hash, data, privateKey);
      assert.ok(key.verifyDigest(digest, sig), `${curve} #${i}`);
      assert.ok(!other.verifyDigest(digest, sig), 'another key');
      const bad = Buffer.from(sig);
      bad[6 + (i % (bad.length - 6))]! ^= 0x10;
      assert.ok(!key.verifyDigest(digest, bad), 'a flipped signature bit');
      assert.ok(!key.verifyDigest(createHash(hash).update('other').digest(), sig), 'another digest');
      assert.ok(!key.verifyDigest(digest.subarray(1), sig), 'a digest of another length');
      assert.ok(!key.verifyDigest(digest, Buffer.concat([sig, Buffer.from([0])])), 'a trailing byte');
      assert.ok(!key.verifyDigest(digest, Buffer.alloc(0)), 'empty');
    }
  }
});

test('an EC point key is refused off the curve, compressed, or of the wrong length', (t) => {
  if (!available) return t.skip('the native addon (with loadEcPoint) is not built');
  for (const [curve] of CURVES) {
    const { point } = keyPair(curve);
    const offCurve = Buffer.from(point);
    offCurve[offCurve.length - 1]! ^= 1; // y + 1 or y - 1
    const compressed = Buffer.concat([
      Buffer.from([2 + (point[point.length - 1]! & 1)]),
      point.subarray(1, 1 + (point.length - 1) / 2),
    ]);
    for (const [what, bytes] of [
      ['off the curve', offCurve],
      ['compressed', compressed],
      ['truncated', point.subarray(0, -1)],
      ['the point at infinity', Buffer.from([0])],
      ['another curve', keyPair(curve === 'P-256' ? 'P-384' : 'P-256').point],
    ] as const) {
      assert.throws(
        () => ecPointKey(curve, bytes),
        (e) => isSignetError(e, 'invalid-input'),
        `${curve}: ${what}`,
      );
    }
  }
});

test('fuzz: garbage signatures never verify and never throw', (t) => {
  if (!available) return t.skip('the native addon (with loadEcPoint) is not built');
  const { point } = keyPair('P-256');
  const key = ecPointKey('P-256', point)!;
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 90 }), (digest, sig) => {
      assert.equal(key.verifyDigest(Buffer.from(digest), Buffer.from(sig)), false);
    }),
    { numRuns: 300, seed: 11 },
  );
});
