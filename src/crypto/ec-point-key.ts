import { invalidInput } from '../errors.js';
import { native } from './digest-verify.js';
import type { DigestHash } from './digest-verify-js.js';

export type EcCurve = 'P-256' | 'P-384' | 'P-521';

/** An ECDSA public key held by the native addon, verifying DER signatures over digests of its curve's hash. */
export interface EcPointKey {
  /** The hash signatures by this key are made with (sigstore's key details: P-256/SHA-256, P-384/SHA-384...). */
  hash: DigestHash;
  /** False for a wrong or malformed signature, or a digest of another length. */
  verifyDigest(digest: Buffer, signature: Buffer): boolean;
}

/** The addon's curve index for loadEcPoint. */
const CURVES: Record<EcCurve, { index: 0 | 1 | 2; hash: DigestHash }> = {
  'P-256': { index: 0, hash: 'sha256' },
  'P-384': { index: 1, hash: 'sha384' },
  'P-521': { index: 2, hash: 'sha512' },
};

/**
 * An EC key from its uncompressed point (04 || x || y), for a key that verifies a signature or two and is gone (a
 * bundle's leaf certificate): the addon puts the point on a curve made once (import and verify cost what node's
 * verify alone does), where node's JWK import costs ~60 us on P-256 (~400 us on P-384). Undefined when the addon is
 * absent or predates loadEcPoint (callers then make a KeyObject); throws invalid-input for a point off the curve.
 * @example ecPointKey('P-256', point)?.verifyDigest(createHash('sha256').update(data).digest(), signature)
 */
export function ecPointKey(curve: EcCurve, point: Buffer): EcPointKey | undefined {
  if (!native?.loadEcPoint || !native.verifyEcPoint) return undefined;
  const { index, hash } = CURVES[curve];
  let handle: object;
  try {
    handle = native.loadEcPoint(index, point);
  } catch (e) {
    throw invalidInput(`the ${curve} public key is not a point on the curve`, e);
  }
  return { hash, verifyDigest: (digest, signature) => native!.verifyEcPoint!(handle, digest, signature) };
}
