import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The N-API addon built from native/digest_verify.c (see binding.gyp); an opaque OpenSSL key handle. */
export interface NativeDigestVerify {
  loadKey(spkiDer: Buffer): object;
  /**
   * ECDSA by a key given as its uncompressed point (curve 0..2: P-256, P-384, P-521; native/ecdsa_point.c), over
   * a digest of the curve's hash. Optional: an addon built before they existed lacks them.
   */
  loadEcPoint?(curve: 0 | 1 | 2, point: Buffer): object;
  verifyEcPoint?(key: object, digest: Buffer, signature: Buffer): boolean;
  verify(key: object, md: 0 | 1 | 2, digest: Buffer, signature: Buffer): boolean;
  /**
   * ECDSA with fixed-base tables for the key's point (native/ecdsa_fixed.c). Optional: an addon built before
   * they existed lacks them, and callers then verify with node:crypto.
   */
  loadFixedKey?(spkiDer: Buffer): object;
  verifyFixed?(key: object, digest: Buffer, signature: Buffer): boolean;
}

const ADDON = join('build', 'Release', 'signet_digest_verify.node');

/**
 * Loads build/Release/signet_digest_verify.node from the package root (the nearest folder above this module that
 * has it), or returns undefined when it was not built (no compiler at install time) or SIGNET_DIGEST_VERIFY=js asks
 * for the JavaScript path. The addon is found by the module loader, as any import is: crypto reads no files.
 */
export function loadNativeDigestVerify(): NativeDigestVerify | undefined {
  if (process.env.SIGNET_DIGEST_VERIFY === 'js') return undefined;
  const load = createRequire(import.meta.url);
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      return load(join(dir, ADDON)) as NativeDigestVerify;
    } catch (e) {
      // Not here: look one folder up. Present but built against another Node ABI or without the OpenSSL
      // symbols: fall back to JS.
      if ((e as { code?: unknown }).code !== 'MODULE_NOT_FOUND') return undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}
