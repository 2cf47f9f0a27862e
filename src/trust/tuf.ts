import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrustedRoot } from '../bundle/index.js';
import type { TrustedRoot } from '../bundle/index.js';
import { PUBLIC_GOOD_TUF_URL } from './embedded.js';

export interface TufRefreshOptions {
  /** The cache directory (signet uses ~/.signet/tuf). */
  cacheDir: string;
  mirrorUrl?: string;
  /** The initial TUF root.json for a mirror other than public-good (whose root is embedded in @sigstore/tuf). */
  rootPath?: string;
  timeoutMs?: number;
  /** After a failed refresh, do not try the network again for this long. */
  backoffMs?: number;
}

const FAILURE_MARK = 'last-refresh-failure';

/**
 * The trusted root through TUF (@sigstore/tuf: signed metadata from the embedded TUF root, cached), or undefined
 * when that does not work quickly: no network, a timeout, or a recent failure. Never throws; the caller falls
 * back to the embedded root. Unexpired cached metadata is used without the network.
 */
export async function refreshTrustedRoot(options: TufRefreshOptions): Promise<TrustedRoot | undefined> {
  const mark = join(options.cacheDir, FAILURE_MARK);
  const backoff = options.backoffMs ?? 10 * 60_000;
  if (recentlyFailed(mark, backoff)) return undefined;
  const timeoutMs = options.timeoutMs ?? 3000;
  let timer: NodeJS.Timeout | undefined;
  try {
    mkdirSync(options.cacheDir, { recursive: true, mode: 0o700 });
    const tuf = await import('@sigstore/tuf');
    const fetchRoot = (async () => {
      const client = await tuf.initTUF({
        mirrorURL: options.mirrorUrl ?? PUBLIC_GOOD_TUF_URL,
        cachePath: options.cacheDir,
        retry: false,
        timeout: timeoutMs,
        forceCache: true,
        ...(options.rootPath ? { rootPath: options.rootPath } : {}),
      });
      return parseTrustedRoot(JSON.parse(await client.getTarget('trusted_root.json')));
    })();
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
      timer.unref();
    });
    const root = await Promise.race([fetchRoot, timeout]);
    fetchRoot.catch(() => undefined);
    if (!root) markFailure(mark);
    return root;
  } catch {
    markFailure(mark);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

function recentlyFailed(mark: string, backoffMs: number): boolean {
  try {
    return Date.now() - Number(readFileSync(mark, 'utf8')) < backoffMs && statSync(mark).isFile();
  } catch {
    return false;
  }
}

function markFailure(mark: string): void {
  try {
    writeFileSync(mark, String(Date.now()), { mode: 0o600 });
  } catch {
    // a read-only home only costs a retry next time
  }
}
