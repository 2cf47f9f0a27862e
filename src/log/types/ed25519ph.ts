import { createHash, type KeyObject } from 'node:crypto';
import { eddsa } from '@noble/curves/abstract/edwards.js';
import { ed25519 } from '@noble/curves/ed25519.js';

/**
 * Ed25519ph (RFC 8032 §5.1) checked against a SHA-512 digest the client already computed, which is how Rekor's
 * hashedrekord treats Ed25519 keys (`options.WithED25519ph()` + `WithDigest`). node:crypto only offers pure
 * Ed25519, so this uses noble's EdDSA core with the dom2(phflag=1, empty context) prefix and an identity prehash.
 */
const DOM2 = Buffer.from('SigEd25519 no Ed25519 collisions', 'latin1');

const sha512 = (m: Uint8Array): Uint8Array => createHash('sha512').update(m).digest();

const ed25519phDigest = eddsa(ed25519.Point, sha512, {
  domain: (data: Uint8Array, ctx: Uint8Array, phflag: boolean) =>
    Buffer.concat([DOM2, Buffer.from([phflag ? 1 : 0, ctx.length]), ctx, data]),
  prehash: (digest: Uint8Array) => digest,
});

/** The 32-byte raw Ed25519 public key inside an SPKI KeyObject. */
export function ed25519RawKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(-32);
}

export function verifyEd25519phDigest(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  if (digest.length !== 64 || signature.length !== 64) return false;
  try {
    // Go's crypto/ed25519 rejects non-canonical encodings, so do not use noble's lenient ZIP-215 mode.
    return ed25519phDigest.verify(signature, digest, ed25519RawKey(key), { zip215: false });
  } catch {
    return false;
  }
}
