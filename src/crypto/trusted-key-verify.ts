import { createHash, verify, type KeyObject } from 'node:crypto';
import { native } from './digest-verify.js';

/**
 * A key that verifies many signatures (a trusted CA's or TSA's key), as node:crypto sees it, and once it has
 * verified enough of them, its fixed-base tables: derived from the public key alone, never from a signature.
 */
interface TrustedKeyState {
  uses: number;
  /** The curve when tables would pay off (P-384, P-521: OpenSSL 3.0 has no dedicated code for them). */
  curve: string | undefined;
  fixed?: object;
}

const states = new WeakMap<KeyObject, TrustedKeyState>();

/**
 * Building the tables costs about what 6 P-384 verifications do (both points of u1*G + u2*Q precomputed): a
 * one-shot `verify-blob` never gets there, a verifier checking bundle after bundle against one trusted root does.
 */
const USES_BEFORE_TABLES = 8;
const TABLE_CURVES = new Set(['secp384r1', 'secp521r1']);
const DIGESTS = new Set(['sha256', 'sha384', 'sha512']);

/**
 * node:crypto's `verify(hash, data, key, signature)` (DER ECDSA signatures, as node takes by default), for a key
 * that verifies over and over: a P-384 or P-521 key that has verified a few signatures then verifies through
 * fixed-base tables in the native addon, about 2.4x faster on P-384 with the same checks OpenSSL makes. Keys of
 * other types, other hashes, or no addon: node:crypto. Throws where node:crypto throws.
 * @example verifyByTrustedKey('sha384', tbsDer, issuer.publicKey, signatureValue)
 */
export function verifyByTrustedKey(hash: string | null, data: Buffer, key: KeyObject, signature: Buffer): boolean {
  const fixed = hash !== null && DIGESTS.has(hash) ? fixedKey(key) : undefined;
  if (!fixed) return verify(hash, data, key, signature);
  return native!.verifyFixed!(fixed, createHash(hash!).update(data).digest(), signature);
}

function fixedKey(key: KeyObject): object | undefined {
  if (!native?.loadFixedKey || key.type !== 'public') return undefined;
  let state = states.get(key);
  if (!state) {
    const curve = key.asymmetricKeyType === 'ec' ? key.asymmetricKeyDetails?.namedCurve : undefined;
    state = { uses: 0, curve: curve && TABLE_CURVES.has(curve) ? curve : undefined };
    states.set(key, state);
  }
  if (!state.curve) return undefined;
  if (!state.fixed && ++state.uses > USES_BEFORE_TABLES) {
    state.fixed = native.loadFixedKey(key.export({ type: 'spki', format: 'der' }));
  }
  return state.fixed;
}
