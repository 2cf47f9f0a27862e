import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { PUBLIC_GOOD_HELP } from '../../src/cli/signing-flags.js';
import { PUBLIC_GOOD_SERVICES } from '../../src/sign/index.js';
import { signetBin } from '../helpers/env.js';
import { tempDir } from '../helpers/process.js';

test("the flag help's public-good URLs are sign's defaults", () => {
  assert.deepEqual({ ...PUBLIC_GOOD_HELP }, PUBLIC_GOOD_SERVICES);
});

/** The signet modules (dist/src/<domain>/...) a CLI run loads, seen through a module loader hook. */
function domainsLoaded(args: string[]): Set<string> {
  const dir = tempDir('signet-startup-');
  const hook = join(dir, 'hook.mjs');
  writeFileSync(
    hook,
    `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  "export async function load(url, ctx, next) { const m = /dist\\\\/src\\\\/([^/]+)\\\\//.exec(url); " +
  "if (m) process.stderr.write('LOADED ' + m[1] + '\\\\n'); return next(url, ctx); }"));
`,
  );
  const run = spawnSync(process.execPath, ['--import', hook, signetBin, ...args], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return new Set([...run.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1]!));
}

test('help and version load only the CLI; a command loads the domains it uses', () => {
  for (const args of [['--help'], ['version'], ['sign-blob', '--help'], ['verify-blob', '--help']]) {
    assert.deepEqual([...domainsLoaded(args)], ['cli'], args.join(' '));
  }
  const keys = domainsLoaded(['generate-key-pair', '--help']);
  assert.ok(!keys.has('crypto') && !keys.has('sign'));
});
