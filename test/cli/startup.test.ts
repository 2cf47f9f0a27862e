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

/** The URLs of the modules a CLI run loads, seen through a module loader hook. */
function modulesLoaded(args: string[]): string[] {
  const dir = tempDir('signet-startup-');
  const hook = join(dir, 'hook.mjs');
  writeFileSync(
    hook,
    `import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(
  "export async function load(url, ctx, next) { process.stderr.write('LOADED ' + url + '\\\\n'); return next(url, ctx); }"));
`,
  );
  const run = spawnSync(process.execPath, ['--import', hook, signetBin, ...args], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return [...run.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => m[1]!);
}

/** The signet domains (dist/src/<domain>/...) a CLI run loads. */
function domainsLoaded(args: string[]): Set<string> {
  return new Set(modulesLoaded(args).flatMap((url) => /dist\/src\/([^/]+)\//.exec(url)?.[1] ?? []));
}

test('help and version load only the CLI; a command loads the domains it uses', () => {
  for (const args of [['--help'], ['version'], ['sign-blob', '--help'], ['verify-blob', '--help']]) {
    assert.deepEqual([...domainsLoaded(args)], ['cli'], args.join(' '));
  }
  const keys = domainsLoaded(['generate-key-pair', '--help']);
  assert.ok(!keys.has('crypto') && !keys.has('sign'));
});

test('the top-level help and a plain version load no argument parser', () => {
  for (const args of [['--help'], ['version'], ['version', '--json'], ['version', '--json=false']]) {
    const urls = modulesLoaded(args);
    assert.ok(!urls.some((url) => url.includes('/node_modules/')), `${args.join(' ')} loaded a package`);
    assert.ok(
      urls.some((url) => url.endsWith('/main.js')),
      'the hook saw the CLI load',
    );
  }
});

test('version prints the same through the fast path and through commander', () => {
  const fast = spawnSync(process.execPath, [signetBin, 'version', '--json'], { encoding: 'utf8' });
  const parsed = spawnSync(process.execPath, [signetBin, 'version', '--json=1'], { encoding: 'utf8' });
  assert.equal(fast.status, 0, fast.stderr);
  assert.equal(parsed.status, 0, parsed.stderr);
  assert.deepEqual(JSON.parse(fast.stdout), JSON.parse(parsed.stdout));
  const text = spawnSync(process.execPath, [signetBin, 'version', '--json=false'], { encoding: 'utf8' });
  assert.match(text.stdout, /^GitVersion: +v\d/m);
});
