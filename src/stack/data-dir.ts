import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Creates a server's data directory (0700) with a `.gitignore` that ignores everything in it: the directory holds
 * private keys, and its default (`./signet-data`) lands inside whatever repository `signet up` is started from.
 * An existing directory is left as it is.
 */
export function createDataDir(dir: string): void {
  if (existsSync(dir)) return;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, '.gitignore'), '# signet keys and databases: never commit\n*\n', { mode: 0o644 });
}
