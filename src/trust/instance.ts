import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseSigningConfig, parseTrustedRoot, type SigningConfig, type TrustedRoot } from '../bundle/index.js';
import { SignetError, invalidInput, invalidOption, isSignetError } from '../errors.js';
import { PUBLIC_GOOD_TUF_URL } from './embedded.js';

/** A Sigstore instance reached through its TUF repository: what `signet initialize` configured. */
export interface Instance {
  mirror: string;
  trustedRoot: TrustedRoot;
  /** Absent when the repository publishes no `signing_config.v0.2.json`. */
  signingConfig?: SigningConfig;
}

/** cosign's TUF cache: `$TUF_ROOT`, else `~/.sigstore/root`. */
export function tufRootDir(): string {
  return process.env.TUF_ROOT || join(process.env.HOME || homedir(), '.sigstore', 'root');
}

/** The mirror clients use: `$TUF_MIRROR`, else the one `initialize` recorded in `remote.json` (as cosign). */
export function configuredMirror(tufRoot = tufRootDir()): string | undefined {
  if (process.env.TUF_MIRROR) return trimSlash(process.env.TUF_MIRROR);
  const remote = join(tufRoot, 'remote.json');
  if (!existsSync(remote)) return undefined;
  try {
    const mirror = (JSON.parse(readFileSync(remote, 'utf8')) as { mirror?: unknown }).mirror;
    if (typeof mirror === 'string' && /^https?:\/\//.test(mirror)) return trimSlash(mirror);
  } catch {
    // fall through to the error below
  }
  throw invalidInput(`${remote} is not a TUF remote file`);
}

export interface InitializeOptions {
  mirror: string;
  /** The initial root.json: a file, or an http(s) URL (then `rootChecksum` should pin it). */
  root: string;
  /** `sha256:<hex>`, `sha512:<hex>` or bare hex (sha256), as cosign's `--root-checksum`. */
  rootChecksum?: string;
  tufRoot?: string;
}

/**
 * `signet initialize`: as `cosign initialize`, empties the TUF cache, records the mirror in `remote.json`, seeds
 * the cache with the given root and fetches the trusted root and signing config through TUF. Later commands then
 * use this instance with no flags.
 */
export async function initializeInstance(o: InitializeOptions): Promise<Instance & { rootVersion: number }> {
  const tufRoot = o.tufRoot ?? tufRootDir();
  const mirror = trimSlash(o.mirror);
  const rootBytes = await readRoot(o.root, o.rootChecksum);
  assertClearable(tufRoot);
  // Built beside the cache and swapped in on success: a failed initialize leaves the previous trust in place.
  const staging = `${tufRoot}.initialize-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  try {
    const seed = join(staging, 'initial-root.json');
    writeFileSync(seed, rootBytes, { mode: 0o600 });
    const instance = await fetchInstance(mirror, staging, { rootPath: seed, force: true });
    rmSync(seed);
    writeFileSync(join(staging, 'remote.json'), JSON.stringify({ mirror }) + '\n', { mode: 0o600 });
    rmSync(tufRoot, { recursive: true, force: true });
    renameSync(staging, tufRoot);
    return { ...instance, rootVersion: cachedRootVersion(tufRoot) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * The instance configured by `signet initialize` (or `TUF_MIRROR`), refreshed through TUF; undefined when none is
 * configured or it is the public-good mirror (the caller's default path). Without the network (or `offline`),
 * unexpired cached metadata is used; anything the TUF client refuses is an error, never a silent fallback.
 */
export async function resolveInstance(
  options: { offline?: boolean; tufRoot?: string } = {},
): Promise<Instance | undefined> {
  const tufRoot = options.tufRoot ?? tufRootDir();
  const mirror = configuredMirror(tufRoot);
  if (!mirror || mirror === PUBLIC_GOOD_TUF_URL) return undefined;
  const rootPath = process.env.TUF_ROOT_JSON;
  if (options.offline) return fetchInstance(mirror, tufRoot, { rootPath, cacheOnly: true });
  try {
    return await fetchInstance(mirror, tufRoot, { rootPath });
  } catch (e) {
    if (!isSignetError(e, 'pushback')) throw e;
    return fetchInstance(mirror, tufRoot, { rootPath, cacheOnly: true }).catch(() => Promise.reject(e));
  }
}

async function fetchInstance(
  mirror: string,
  tufRoot: string,
  o: { rootPath?: string; force?: boolean; cacheOnly?: boolean },
): Promise<Instance> {
  const tuf = await import('@sigstore/tuf');
  try {
    const client = await tuf.initTUF({
      mirrorURL: mirror,
      cachePath: tufRoot,
      retry: false,
      timeout: 10_000,
      forceCache: !!o.cacheOnly,
      ...(o.rootPath ? { rootPath: o.rootPath } : {}),
      ...(o.force ? { force: true } : {}),
    });
    const trustedRoot = parseTrustedRoot(JSON.parse(await client.getTarget('trusted_root.json')));
    let signingConfig: SigningConfig | undefined;
    try {
      signingConfig = parseSigningConfig(JSON.parse(await client.getTarget('signing_config.v0.2.json')));
    } catch (e) {
      if ((e as { code?: string }).code !== 'TUF_FIND_TARGET_ERROR') throw e;
    }
    return { mirror, trustedRoot, ...(signingConfig ? { signingConfig } : {}) };
  } catch (e) {
    throw tufError(e, mirror);
  }
}

/** One line naming what the TUF client refused (expired, rolled back, bad signature, hash mismatch...). */
function tufError(e: unknown, mirror: string): SignetError {
  if (isSignetError(e)) return e;
  const err = e as Error & { code?: string; cause?: Error & { code?: string; cause?: Error } };
  const cause = err.cause?.message ?? '';
  const detail = `${err.message}${cause && cause !== err.message ? `: ${cause}` : ''}`.split('\n')[0]!;
  if (err.code === 'TUF_INIT_CACHE_ERROR') {
    return new SignetError('invalid-input', `no TUF root cached for ${mirror}`, {
      detail: { hint: `run: signet initialize --mirror ${mirror} --root root.json` },
    });
  }
  const network = /fetch failed|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|timeout|aborted/i.test(
    `${detail} ${err.cause?.cause?.message ?? ''}`,
  );
  return new SignetError(network ? 'pushback' : 'verification-failed', `TUF update from ${mirror} failed: ${detail}`, {
    cause: e,
  });
}

async function readRoot(source: string, checksum?: string): Promise<Buffer> {
  let bytes: Buffer;
  if (/^https?:\/\//.test(source)) {
    const res = await fetch(source, { signal: AbortSignal.timeout(30_000) }).catch((e: Error) => {
      throw new SignetError('pushback', `cannot fetch the TUF root ${source}: ${e.message}`);
    });
    if (!res.ok) throw invalidInput(`fetching the TUF root ${source} answered ${res.status}`);
    bytes = Buffer.from(await res.arrayBuffer());
  } else {
    try {
      bytes = readFileSync(source);
    } catch (e) {
      throw invalidInput(`cannot read the TUF root ${source}: ${(e as NodeJS.ErrnoException).code ?? e}`);
    }
  }
  if (checksum) {
    const [alg, hex] = checksum.includes(':') ? checksum.split(':', 2) : ['sha256', checksum];
    if ((alg !== 'sha256' && alg !== 'sha512') || !/^[0-9a-f]+$/i.test(hex ?? ''))
      throw invalidOption(
        'rootChecksum',
        `the root checksum must be sha256:<hex> or sha512:<hex>, got ${JSON.stringify(checksum)}`,
      );
    if (createHash(alg).update(bytes).digest('hex') !== hex!.toLowerCase())
      throw new SignetError('verification-failed', `the TUF root ${source} does not match the expected checksum`, {
        detail: { option: 'rootChecksum' },
      });
  }
  try {
    const json = JSON.parse(bytes.toString('utf8')) as { signed?: { _type?: unknown } };
    if (json.signed?._type !== 'root') throw new Error('not a root');
  } catch {
    throw invalidInput(`${source} is not a TUF root.json`);
  }
  return bytes;
}

/** cosign deletes the cache; signet replaces only a directory that is a TUF cache (or empty), never anything else. */
function assertClearable(dir: string): void {
  if (!existsSync(dir)) return;
  const entries = readdirSync(dir);
  const isCache = entries.includes('remote.json') || entries.some((e) => existsSync(join(dir, e, 'root.json')));
  if (entries.length > 0 && !isCache)
    throw invalidInput(`${dir} is not empty and holds no TUF cache; refusing to replace it (set TUF_ROOT elsewhere)`);
}

function cachedRootVersion(tufRoot: string): number {
  for (const entry of readdirSync(tufRoot)) {
    const path = join(tufRoot, entry, 'root.json');
    if (existsSync(path))
      return (JSON.parse(readFileSync(path, 'utf8')) as { signed: { version: number } }).signed.version;
  }
  return 0;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');
