import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, requireOrSkip, conformanceDir } from './helpers/env.js';

/**
 * sigstore-conformance's offline verification corpus (70 cases, each by path and by digest) replayed through
 * bin/sigstore-conformance, as the suite's own harness would. Needs `npm run build`.
 */
test('bin/sigstore-conformance passes the whole bundle-verify corpus', { timeout: 900_000 }, async (t) => {
  const built = existsSync(join(repoRoot, 'dist', 'src', 'cli', 'verify-blob.js'));
  if (!requireOrSkip(t, built, 'a build (npm run build)')) return;
  const runner = join(conformanceDir, 'run.mjs');
  const out = await new Promise<{ status: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [runner, join(repoRoot, 'bin', 'sigstore-conformance')], {
      // No network is needed; a home of its own keeps the TUF cache out of the user's.
      env: { ...process.env, HOME: join(repoRoot, 'dist', 'test-home') },
    });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout }));
  });
  assert.match(out.stdout, /140 passed, 0 failed/, out.stdout);
  assert.equal(out.status, 0);
});

test('the entrypoint rejects what the protocol does not allow', async (t) => {
  const bin = join(repoRoot, 'bin', 'sigstore-conformance');
  const run = (args: string[]) =>
    new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { stdio: 'ignore' });
      child.on('close', resolve);
    });
  if (!requireOrSkip(t, existsSync(join(repoRoot, 'dist', 'src', 'cli', 'main.js')), 'a build')) return;
  assert.notEqual(await run([]), 0);
  assert.notEqual(await run(['frobnicate']), 0);
  assert.notEqual(await run(['verify-bundle', '--bundle']), 0);
  assert.notEqual(await run(['verify-bundle', '--bundle', 'b.json', '--bogus', 'x', 'a.txt']), 0);
  assert.notEqual(await run(['verify-bundle', '--staging', '--bundle', 'b.json', '--key', 'k', 'a.txt']), 0);
});
