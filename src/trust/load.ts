import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseTrustedRoot } from '../bundle/index.js';
import type { TrustedRoot } from '../bundle/index.js';
import { invalidInput, invalidOption, isSignetError } from '../errors.js';
import { embeddedTrustedRoot } from './embedded.js';
import { refreshTrustedRoot } from './tuf.js';
import { applyCosignEnv, COSIGN_TRUST_ENV } from './cosign-env.js';
import { resolveInstance } from './instance.js';

export interface TrustedRootSource {
  /** `--trusted-root`: a file, or an http(s) URL (a signet stack serves one at /trusted_root.json). */
  trustedRoot?: string;
  /** Never touch the network: the embedded public-good root unless a file is given. */
  offline?: boolean;
  /** Where the TUF cache lives; default $HOME/.signet/tuf. */
  cacheDir?: string;
  timeoutMs?: number;
}

export interface LoadedTrustedRoot {
  root: TrustedRoot;
  /** Where it came from: the file or URL, the instance's TUF mirror, 'tuf' (public-good) or 'embedded'. */
  origin: string;
}

/**
 * The trusted root to verify with, as cosign picks it: `--trusted-root` as given; else the instance `signet
 * initialize` configured (through its TUF mirror), else public-good through TUF, else the embedded copy; then
 * cosign's SIGSTORE_* variables replace the parts they name.
 */
export async function loadTrustedRoot(source: TrustedRootSource = {}): Promise<LoadedTrustedRoot> {
  const given = source.trustedRoot;
  if (given && /^https?:\/\//i.test(given)) {
    if (source.offline) throw invalidOption('offline', `offline: cannot fetch the trusted root from ${given}`);
    return { root: await fetchTrustedRoot(given, source.timeoutMs ?? 10_000), origin: given };
  }
  if (given) return { root: await readTrustedRoot(given), origin: given };
  const base = await defaultTrustedRoot(source);
  if (!COSIGN_TRUST_ENV.some((v) => process.env[v])) return base;
  return { root: applyCosignEnv(base.root), origin: `${base.origin} with the SIGSTORE_* environment` };
}

async function defaultTrustedRoot(source: TrustedRootSource): Promise<LoadedTrustedRoot> {
  const instance = await resolveInstance({ offline: !!source.offline });
  if (instance) return { root: instance.trustedRoot, origin: instance.mirror };
  if (!source.offline) {
    const root = await refreshTrustedRoot({
      cacheDir: source.cacheDir ?? defaultCacheDir(),
      timeoutMs: source.timeoutMs ?? 3000,
    });
    if (root) return { root, origin: 'tuf' };
  }
  return { root: embeddedTrustedRoot(), origin: 'embedded' };
}

export function defaultCacheDir(): string {
  return join(process.env.HOME || homedir(), '.signet', 'tuf');
}

export async function readTrustedRoot(path: string): Promise<TrustedRoot> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw invalidInput(`cannot read the trusted root ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`, e);
  }
  return parseRootText(text, path);
}

async function fetchTrustedRoot(url: string, timeoutMs: number): Promise<TrustedRoot> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw invalidInput(`cannot fetch the trusted root from ${url}: ${(e as Error).message}`, e);
  }
  if (!res.ok) throw invalidInput(`cannot fetch the trusted root from ${url}: HTTP ${res.status}`);
  return parseRootText(await res.text(), url);
}

function parseRootText(text: string, where: string): TrustedRoot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw invalidInput(`the trusted root ${where} is not JSON`, e);
  }
  try {
    return parseTrustedRoot(json);
  } catch (e) {
    if (isSignetError(e)) throw invalidInput(`${where}: ${e.message}`, e);
    throw e;
  }
}
