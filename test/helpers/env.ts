import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

/** The checkout's root, found from this file whether it runs from test/ (tsx) or dist/test/ (compiled). */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
})();

/** The signet CLI entry point (runs dist/, so `npm run build` first). */
export const signetBin = join(repoRoot, 'bin', 'signet.js');

/** Test vectors vendored with the tests (each folder's SOURCE.md or README.md says where they came from). */
export const fixturesDir = join(repoRoot, 'test', 'fixtures');

/** sigstore-conformance's offline corpus, vendored (test/fixtures/conformance/SOURCE.md). */
export const conformanceDir = join(fixturesDir, 'conformance');

const inCi = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Skips the test with a clear message when `what` is missing on a developer machine; fails it in CI,
 * where .ci/run installs everything the tests need.
 */
export function requireOrSkip(t: TestContext, available: boolean, what: string): boolean {
  if (available) return true;
  if (inCi) throw new Error(`${what} is missing in CI: .ci/run should install it`);
  t.skip(`${what} is not available on this machine`);
  return false;
}

/** True when `cmd` runs (e.g. hasProgram('skopeo', '--version')). */
export function hasProgram(cmd: string, ...args: string[]): boolean {
  const r = spawnSync(cmd, args.length ? args : ['--version'], { stdio: 'ignore' });
  return r.error === undefined;
}

export function requireProgram(t: TestContext, cmd: string, ...args: string[]): boolean {
  return requireOrSkip(t, hasProgram(cmd, ...args), `the program \`${cmd}\``);
}
