// First contact (issue 9): what a new user hits in the first minutes, run as subprocesses like a user would.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runSignetAsync, startSignet, tempDir } from '../helpers/process.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const dir = (prefix: string) => {
  const d = tempDir(prefix);
  dirs.push(d);
  return d;
};

test('signet up on a busy port fails with a hint and creates nothing', async () => {
  const holder: Server = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  const port = (holder.address() as { port: number }).port;
  const dataDir = join(dir('signet-busy-'), 'data');
  try {
    const r = await runSignetAsync(['up', '--port', String(port), '--data-dir', dataDir]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    assert.match(r.stderr, /--port/);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
    assert.equal(existsSync(dataDir), false, 'no data dir, no keys made before the port was known to be free');
  } finally {
    await new Promise((r) => holder.close(r));
  }
});

test('signet up writes a .gitignore that ignores everything into a new data dir', async () => {
  const dataDir = join(dir('signet-gi-'), 'data');
  const stack = await startSignet(['up'], { dataDir, readyPath: '/signing_config.json' });
  try {
    const ignore = readFileSync(join(dataDir, '.gitignore'), 'utf8');
    assert.match(ignore, /^\*$/m);
    // git agrees: the log key inside is ignored.
    const git = spawnSync('git', ['init', '-q', dataDir]);
    if (git.status === 0) {
      const r = spawnSync('git', ['check-ignore', '-q', join('log', 'log-signing-key.pem')], { cwd: dataDir });
      assert.equal(r.status, 0, 'git check-ignore: the log key is ignored');
    }
  } finally {
    await stack.stop();
  }
});

test('generate-key-pair warns when git add . would pick up the private key, and only then', async (t) => {
  if (spawnSync('git', ['--version']).status !== 0) {
    if (process.env.CI) assert.fail('git is required in CI');
    return t.skip('git not installed');
  }
  const env = { COSIGN_PASSWORD: 'pw' };
  const repo = dir('signet-gitwarn-');
  assert.equal(spawnSync('git', ['init', '-q', repo]).status, 0);
  const exposed = await runSignetAsync(['generate-key-pair'], { env, cwd: repo });
  assert.equal(exposed.status, 0, exposed.stderr);
  assert.match(exposed.stderr, /cosign\.key \(a private key\) is inside a git work tree and not ignored/);
  assert.match(exposed.stderr, /hint: add it to \.gitignore/);

  const ignored = dir('signet-gitok-');
  assert.equal(spawnSync('git', ['init', '-q', ignored]).status, 0);
  writeFileSync(join(ignored, '.gitignore'), 'cosign.key\n');
  const quiet = await runSignetAsync(['generate-key-pair'], { env, cwd: ignored });
  assert.equal(quiet.status, 0, quiet.stderr);
  assert.doesNotMatch(quiet.stderr, /git work tree/);
  assert.ok(existsSync(join(ignored, 'cosign.key')));

  const outside = dir('signet-nogit-');
  const plain = await runSignetAsync(['generate-key-pair'], { env, cwd: outside });
  assert.equal(plain.status, 0, plain.stderr);
  assert.doesNotMatch(plain.stderr, /git work tree/);
});
