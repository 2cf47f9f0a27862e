import type { JsonWebKey, KeyObject } from 'node:crypto';
import { encodeTlv, TAG } from '../../encoding/index.js';

/** AlgorithmIdentifier DER by key: id-ecPublicKey with the named curve, Ed25519, rsaEncryption with NULL. */
const EC_ALGORITHM: Record<string, Buffer> = {
  'P-256': Buffer.from('301306072a8648ce3d020106082a8648ce3d030107', 'hex'),
  'P-384': Buffer.from('301006072a8648ce3d020106052b81040022', 'hex'),
  'P-521': Buffer.from('301006072a8648ce3d020106052b81040023', 'hex'),
};
const ED25519_ALGORITHM = Buffer.from('300506032b6570', 'hex');
const RSA_ALGORITHM = Buffer.from('300d06092a864886f70d0101010500', 'hex');

/**
 * The DER SubjectPublicKeyInfo of a public key, as `key.export({format: 'der', type: 'spki'})` writes it (named
 * curve, uncompressed point), built from the key's JWK: OpenSSL's DER encoder costs ~0.1 ms a call, about an
 * eighth of a P-384 signature, the JWK export a twentieth of that. Key types without a JWK form fall back to it.
 */
export function spkiDer(key: KeyObject): Buffer {
  let jwk: JsonWebKey | undefined;
  try {
    jwk = key.export({ format: 'jwk' });
  } catch {
    // no JWK form (RSA-PSS, DSA): OpenSSL's encoder below
  }
  const b = (s: string | undefined) => Buffer.from(s ?? '', 'base64url');
  let algorithm: Buffer | undefined;
  let bits: Buffer | undefined;
  if (jwk?.kty === 'EC' && jwk.crv && EC_ALGORITHM[jwk.crv]) {
    algorithm = EC_ALGORITHM[jwk.crv];
    bits = Buffer.concat([Buffer.from([4]), b(jwk.x), b(jwk.y)]);
  } else if (jwk?.kty === 'OKP' && jwk.crv === 'Ed25519') {
    algorithm = ED25519_ALGORITHM;
    bits = b(jwk.x);
  } else if (jwk?.kty === 'RSA') {
    algorithm = RSA_ALGORITHM;
    bits = encodeTlv(TAG.sequence, Buffer.concat([derUnsigned(b(jwk.n)), derUnsigned(b(jwk.e))]));
  }
  if (!algorithm || !bits) return key.export({ format: 'der', type: 'spki' });
  return encodeTlv(
    TAG.sequence,
    Buffer.concat([algorithm, encodeTlv(TAG.bitString, Buffer.concat([Buffer.from([0]), bits]))]),
  );
}

/** A non-negative INTEGER from big-endian magnitude bytes (JWK's n and e carry no leading zeros). */
function derUnsigned(magnitude: Buffer): Buffer {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return encodeTlv(TAG.integer, m[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), m]) : m);
}
