import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { boolFlag } from './bool-flags.js';

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

/** The commit and tree state come from git when the package runs from a checkout; a packed install has neither. */
export function versionInfo(): VersionInfo {
  const git = (...args: string[]) =>
    execFileSync('git', ['-C', packageRoot, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  let gitCommit = 'unknown';
  let gitTreeState = 'unknown';
  try {
    gitCommit = git('rev-parse', 'HEAD');
    gitTreeState = git('status', '--porcelain', '--untracked-files=no') ? 'dirty' : 'clean';
  } catch {
    // not a checkout, or no git: leave unknown
  }
  let buildDate = 'unknown';
  try {
    // The compiled entry point's time is when `tsc` built it.
    buildDate = statSync(new URL('main.js', import.meta.url))
      .mtime.toISOString()
      .replace(/\.\d+Z$/, 'Z');
  } catch {
    // running from sources (tsx)
  }
  return {
    gitVersion: `v${packageVersion()}`,
    gitCommit,
    gitTreeState,
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

/** `version` as cosign and rekor-cli have it: text, or `--json`. */
export function registerVersion(parent: Command, name: string, description: string): void {
  parent
    .command('version')
    .description('print the version, git commit, build date and Node version')
    .addOption(boolFlag('--json', 'print JSON instead of text'))
    .action((opts: { json: boolean }) => {
      const info = versionInfo();
      process.stdout.write(opts.json ? JSON.stringify(info, null, 2) + '\n' : formatVersion(name, description, info));
    });
}
