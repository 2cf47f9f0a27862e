import { createPublicKey, type KeyObject } from 'node:crypto';
import { SignetError } from '../errors.js';
import { verifyDigestJs, type DigestHash } from './digest-verify-js.js';
import { loadNativeDigestVerify } from './digest-verify-native.js';

export type { DigestHash } from './digest-verify-js.js';

const DIGEST_LENGTH: Record<DigestHash, number> = { sha256: 32, sha384: 48, sha512: 64 };
const MD_INDEX: Record<DigestHash, 0 | 1 | 2> = { sha256: 0, sha384: 1, sha512: 2 };

/** The addon, loaded once; trusted-key-verify.ts uses it too. */
export const native = loadNativeDigestVerify();
/** OpenSSL key handles per KeyObject, so a log verifying many entries by one key parses its SPKI once. */
const nativeKeys = new WeakMap<KeyObject, object>();

/** Which implementation verifies: the OpenSSL addon, or the JavaScript fallback when it was not built. */
export function digestVerifyBackend(): 'native' | 'js' {
  return native ? 'native' : 'js';
}

/**
 * Verifies an ECDSA (ASN.1 DER, P-256/384/521) or RSA PKCS#1 v1.5 signature over a digest the caller already
 * computed (Rekor's hashedrekord carries only the digest). Returns false for a wrong or malformed signature, a
 * digest of the wrong length, or an unknown hash; throws unsupported for keys that cannot sign a digest (Ed25519).
 * @example verifyDigestSignature(key, 'sha256', createHash('sha256').update(data).digest(), sig)
 */
export function verifyDigestSignature(
  key: KeyObject,
  hash: DigestHash,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const type = pub.asymmetricKeyType;
  if (type !== 'ec' && type !== 'rsa') {
    throw new SignetError('unsupported', `${type ?? 'secret'} keys cannot verify a signature over a bare digest`);
  }
  if (!(hash in DIGEST_LENGTH) || !(digest instanceof Uint8Array) || digest.length !== DIGEST_LENGTH[hash])
    return false;
  if (!(signature instanceof Uint8Array) || signature.length === 0) return false;
  const d = Buffer.from(digest.buffer, digest.byteOffset, digest.byteLength);
  const s = Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength);
  if (!native) return verifyDigestJs(pub, hash, d, s);
  return native.verify(nativeKey(pub), MD_INDEX[hash], d, s);
}

function nativeKey(key: KeyObject): object {
  let handle = nativeKeys.get(key);
  if (!handle) {
    handle = native!.loadKey(key.export({ type: 'spki', format: 'der' }));
    nativeKeys.set(key, handle);
  }
  return handle;
}
