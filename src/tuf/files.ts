import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignetError } from '../errors.js';

/** Writes through a temporary file and a rename, so a reader (the HTTP server) never sees half a file. */
export function writeAtomic(path: string, data: string | Buffer, mode = 0o644): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data, { mode });
  renameSync(tmp, path);
}

export function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** Metadata as written to disk: indented like Sigstore's root-signing repository. */
export function metadataText(json: unknown): string {
  return JSON.stringify(json, null, 2) + '\n';
}

const STALE_LOCK_MS = 60_000;

/**
 * Runs `fn` holding `<dir>/.lock` (created exclusively), so `signet up` re-signing and an operator's `signet tuf`
 * command never interleave their writes. A lock older than a minute is left over from a crash and is broken.
 */
export async function withLock<T>(dir: string, fn: () => T): Promise<T> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const lock = join(dir, '.lock');
  for (let attempt = 0; ; attempt++) {
    try {
      closeSync(openSync(lock, 'wx', 0o600));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
      if (attempt > 200) throw new SignetError('pushback', `the TUF repository ${dir} is locked by another process`);
      await sleep(50);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}
