// What `version` reports. No commander here: main.ts prints `signet version` without loading the parser.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `cosign version` / `rekor-cli version` report (release-utils' Info), with Node in place of Go. */
export interface VersionInfo {
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  nodeVersion: string;
  platform: string;
}

/** The package directory: the nearest parent with a package.json (dist/src/cli when built, src/cli under tsx). */
const packageRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Written next to the compiled sources by bin/build-info.mjs (`npm run build`, `prepare`). */
interface BuildInfo {
  gitCommit?: string;
  gitTreeState?: string;
  buildDate?: string;
}

/**
 * The commit, tree state and build date recorded at build time, when the record is at least as new as the compiled
 * CLI (a later `tsc` alone leaves an older record behind: then it no longer describes what runs).
 */
function recordedBuild(): BuildInfo | undefined {
  try {
    const record = new URL('../build-info.json', import.meta.url);
    if (statSync(record).mtimeMs < statSync(new URL('main.js', import.meta.url)).mtimeMs) return undefined;
    return JSON.parse(readFileSync(record, 'utf8')) as BuildInfo;
  } catch {
    return undefined; // not built by `npm run build`, or running from sources (tsx)
  }
}

/** Commit and tree state from one `git status` (its v2 header carries the commit), for a checkout built by tsc alone. */
function gitState(): BuildInfo {
  try {
    const out = execFileSync(
      'git',
      ['-C', packageRoot, 'status', '--porcelain=v2', '--branch', '--untracked-files=no'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      },
    );
    const oid = /^# branch\.oid ([0-9a-f]{40})$/m.exec(out)?.[1];
    if (!oid) return {};
    return { gitCommit: oid, gitTreeState: out.split('\n').some((l) => l && !l.startsWith('#')) ? 'dirty' : 'clean' };
  } catch {
    return {}; // not a checkout, or no git: leave unknown
  }
}

/**
 * What `version` reports: the commit and tree state as recorded at build time, or else from git when the package runs
 * from a checkout (one `git status`); a packed install without a record has neither.
 */
export function versionInfo(): VersionInfo {
  const built = recordedBuild() ?? gitState();
  let buildDate = built.buildDate ?? 'unknown';
  if (!built.buildDate) {
    try {
      // The compiled entry point's time is when `tsc` built it.
      buildDate = statSync(new URL('main.js', import.meta.url))
        .mtime.toISOString()
        .replace(/\.\d+Z$/, 'Z');
    } catch {
      // running from sources (tsx)
    }
  }
  return {
    gitVersion: `v${packageVersion()}`,
    gitCommit: built.gitCommit ?? 'unknown',
    gitTreeState: built.gitTreeState ?? 'unknown',
    buildDate,
    nodeVersion: process.version,
    platform: `${process.platform}/${process.arch}`,
  };
}

/** release-utils' layout: `name: description`, a blank line, then the fields aligned two spaces past the longest key. */
export function formatVersion(name: string, description: string, info: VersionInfo): string {
  const rows: [string, string][] = [
    ['GitVersion:', info.gitVersion],
    ['GitCommit:', info.gitCommit],
    ['GitTreeState:', info.gitTreeState],
    ['BuildDate:', info.buildDate],
    ['NodeVersion:', info.nodeVersion],
    ['Platform:', info.platform],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return `${name}: ${description}\n\n` + rows.map(([k, v]) => k.padEnd(width) + v).join('\n') + '\n';
}

/**
 * The plain forms of `signet version` (no other flag, `--json` with no value or a pflag boolean) that main.ts answers
 * without commander: whether to print JSON, or undefined for anything else, which goes through the full parser
 * (its help, its errors, `=maybe`).
 */
export function plainVersionRun(args: string[]): { json: boolean } | undefined {
  if (args[0] !== 'version') return undefined;
  let json = false;
  for (const arg of args.slice(1)) {
    const m = /^--json(?:=(true|false))?$/.exec(arg);
    if (!m) return undefined;
    json = m[1] !== 'false';
  }
  return { json };
}

/** What `signet version` prints: text or JSON. */
export function renderVersion(name: string, description: string, json: boolean): string {
  const info = versionInfo();
  return json ? JSON.stringify(info, null, 2) + '\n' : formatVersion(name, description, info);
}
