import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseTrustedRoot } from '../bundle/index.js';
import type { TrustedRoot } from '../bundle/index.js';
import { SignetError } from '../errors.js';

export const PUBLIC_GOOD_TUF_URL = 'https://tuf-repo-cdn.sigstore.dev';

let embedded: TrustedRoot | undefined;

/**
 * The Sigstore public-good trusted root that ships with signet: the `trusted_root.json` TUF target embedded in
 * @sigstore/tuf's seeds.json (a runtime dependency, refreshed with each of its releases), read in place so the
 * package carries no second copy that could go stale on its own.
 */
export function embeddedTrustedRoot(): TrustedRoot {
  if (embedded) return embedded;
  const seeds = JSON.parse(readFileSync(seedsPath(), 'utf8')) as Record<string, { targets?: Record<string, string> }>;
  const target = seeds[PUBLIC_GOOD_TUF_URL]?.targets?.['trusted_root.json'];
  if (!target) throw new SignetError('internal', '@sigstore/tuf seeds.json has no public-good trusted_root.json');
  embedded = parseTrustedRoot(JSON.parse(Buffer.from(target, 'base64').toString('utf8')));
  return embedded;
}

/** The public-good TUF root.json seed (the trust anchor for refreshing through TUF). */
export function seedsPath(): string {
  return createRequire(import.meta.url).resolve('@sigstore/tuf/seeds.json');
}
