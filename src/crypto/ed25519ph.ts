import { createHash, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { invalidInput } from '../errors.js';

/**
 * Ed25519ph (RFC 8032 §5.1, prehash with SHA-512): what cosign signs blobs with when they go to the log, because a
 * hashedrekord entry holds only the digest. Domain separation keeps it distinct from a pure Ed25519 signature.
 * Signing and verifying over the data use noble's ed25519ph; Rekor checks it against a SHA-512 digest the client already computed, which is how Rekor's
 * hashedrekord treats Ed25519 keys (`options.WithED25519ph()` + `WithDigest`). node:crypto only offers pure
 * Ed25519, so this uses noble's EdDSA core with the dom2(phflag=1, empty context) prefix and an identity prehash.
 */
const DOM2 = Buffer.from('SigEd25519 no Ed25519 collisions', 'latin1');

const sha512 = (m: Uint8Array): Uint8Array => createHash('sha512').update(m).digest();

type Ed25519 = typeof import('@noble/curves/ed25519.js');
type Edwards = typeof import('@noble/curves/abstract/edwards.js');
let noble: { ed25519ph: Ed25519['ed25519ph']; ed25519phDigest: ReturnType<Edwards['eddsa']> } | undefined;

/**
 * noble's Ed25519 (with the module graph behind it, tens of ms) on first use, not when crypto loads: most runs never
 * see an Ed25519 key. Required synchronously (ES modules without top-level await; Node >= 20.19).
 */
function ed(): NonNullable<typeof noble> {
  if (!noble) {
    const load = createRequire(import.meta.url);
    const { ed25519, ed25519ph } = load('@noble/curves/ed25519.js') as Ed25519;
    const { eddsa } = load('@noble/curves/abstract/edwards.js') as Edwards;
    const ed25519phDigest = eddsa(ed25519.Point, sha512, {
      domain: (data: Uint8Array, ctx: Uint8Array, phflag: boolean) =>
        Buffer.concat([DOM2, Buffer.from([phflag ? 1 : 0, ctx.length]), ctx, data]),
      prehash: (digest: Uint8Array) => digest,
    });
    noble = { ed25519ph, ed25519phDigest };
  }
  return noble;
}

/** The 32-byte raw Ed25519 public key inside an SPKI KeyObject. */
export function ed25519RawKey(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' }).subarray(-32);
}

export function verifyEd25519phDigest(key: KeyObject, digest: Buffer, signature: Buffer): boolean {
  if (digest.length !== 64 || signature.length !== 64) return false;
  try {
    // Go's crypto/ed25519 rejects non-canonical encodings, so do not use noble's lenient ZIP-215 mode.
    return ed().ed25519phDigest.verify(signature, digest, ed25519RawKey(key), { zip215: false });
  } catch {
    return false;
  }
}

/** Ed25519ph over `data` with an Ed25519 private key (the seed is wiped after use). */
export function signEd25519ph(privateKey: KeyObject, data: Buffer): Buffer {
  const jwk = privateKey.export({ format: 'jwk' });
  if (privateKey.asymmetricKeyType !== 'ed25519' || !jwk.d) throw invalidInput('not an Ed25519 private key');
  const seed = Buffer.from(jwk.d, 'base64url');
  try {
    return Buffer.from(ed().ed25519ph.sign(data, seed));
  } finally {
    seed.fill(0);
  }
}

/** Whether `signature` is an Ed25519ph signature of `data` by `key` (canonical encodings only, as Go). */
export function verifyEd25519ph(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    return ed().ed25519ph.verify(signature, data, ed25519RawKey(key), { zip215: false });
  } catch {
    return false;
  }
}
