import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { test } from 'node:test';
import { loadNativeDigestVerify } from '../../src/crypto/digest-verify-native.js';

// The addon's three kinds of key handle (native/napi_buffer.h type tags): each verify takes only its own kind.
const addon = loadNativeDigestVerify();

test('a native key handle of one kind is refused by the other kinds of verify, and works with its own', (t) => {
  if (!addon?.loadEcPoint || !addon.verifyEcPoint || !addon.loadFixedKey || !addon.verifyFixed) {
    return t.skip('the native addon (with loadEcPoint and loadFixedKey) is not built');
  }
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const jwk = publicKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.of(4), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  const data = Buffer.from('artifact');
  const digest = createHash('sha256').update(data).digest();
  const sig = sign('sha256', data, privateKey);

  const digestKey = addon.loadKey(spki);
  const fixedKey = addon.loadFixedKey(spki);
  const pointKey = addon.loadEcPoint(0, point);
  const verifiers = {
    verify: (k: object) => addon.verify(k, 0, digest, sig),
    verifyFixed: (k: object) => addon.verifyFixed!(k, digest, sig),
    verifyEcPoint: (k: object) => addon.verifyEcPoint!(k, digest, sig),
  };
  const own = new Map<object, keyof typeof verifiers>([
    [digestKey, 'verify'],
    [fixedKey, 'verifyFixed'],
    [pointKey, 'verifyEcPoint'],
  ]);
  for (const [key, ownVerify] of own) {
    for (const [name, verify] of Object.entries(verifiers)) {
      if (name === ownVerify) assert.equal(verify(key), true, `${name} with its own key`);
      else assert.throws(() => verify(key), TypeError, `${name} with a ${ownVerify} key`);
    }
  }
  for (const verify of Object.values(verifiers)) {
    assert.throws(() => verify({}), TypeError, 'a plain object');
    assert.throws(() => verify(Buffer.from(spki)), TypeError, 'a Buffer');
  }
});
