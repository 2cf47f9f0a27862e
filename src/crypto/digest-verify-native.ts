import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The N-API addon built from native/digest_verify.c (see binding.gyp); an opaque OpenSSL key handle. */
export interface NativeDigestVerify {
  loadKey(spkiDer: Buffer): object;
  verify(key: object, md: 0 | 1 | 2, digest: Buffer, signature: Buffer): boolean;
}

/**
 * Loads build/Release/signet_digest_verify.node from the package root, or returns undefined when it was not
 * built (no compiler at install time) or SIGNET_DIGEST_VERIFY=js asks for the JavaScript path.
 */
export function loadNativeDigestVerify(): NativeDigestVerify | undefined {
  if (process.env.SIGNET_DIGEST_VERIFY === 'js') return undefined;
  const root = packageRoot();
  const file = root && join(root, 'build', 'Release', 'signet_digest_verify.node');
  if (!file || !existsSync(file)) return undefined;
  try {
    return createRequire(import.meta.url)(file) as NativeDigestVerify;
  } catch {
    return undefined; // built against another Node ABI or without the OpenSSL symbols: fall back to JS
  }
}

function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'binding.gyp'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
