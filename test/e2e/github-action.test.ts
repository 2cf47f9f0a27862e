// The signing step of action.yml (action/sign.sh), run as a workflow would run it: the job's ambient token comes
// from the dev provider's Actions endpoint, `signet` is on PATH, inputs are SIGNET_* variables.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, signetBin } from '../helpers/env.js';
import { runSignetAsync, tempDir } from '../helpers/process.js';
import { startUp, type UpProcess } from '../helpers/up.js';

let up: UpProcess;
let dir: string;

before(async () => {
  dir = tempDir('signet-action-');
  up = await startUp(['--port', '0', '--data-dir', join(dir, 'data')]);
});
after(async () => {
  await up?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runStep(env: Record<string, string>): Promise<{ status: number | null; out: string }> {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'signet'), `#!/bin/sh\nexec "${process.execPath}" "${signetBin}" "$@"\n`);
  chmodSync(join(bin, 'signet'), 0o755);
  return new Promise((resolve) => {
    const child = spawn('bash', [join(repoRoot, 'action', 'sign.sh')], {
      cwd: dir,
      env: { PATH: `${bin}:${process.env.PATH}`, SIGNET_LOG_LEVEL: 'warn', ...env },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (status) => resolve({ status, out }));
  });
}

test('action.yml declares the inputs its sign step reads', () => {
  const yml = readFileSync(join(repoRoot, 'action.yml'), 'utf8');
  assert.match(yml, /using: composite/);
  assert.match(yml, /npm install -g "signet-sigstore@\$\{\{ inputs\.version \}\}"/);
  for (const input of [
    'blobs',
    'images',
    'signing-config',
    'trusted-root',
    'tuf-mirror',
    'tuf-root',
    'tuf-root-checksum',
  ]) {
    assert.match(yml, new RegExp(`\\n  ${input}:\\n`), input);
    assert.match(yml, new RegExp(`\\$\\{\\{ inputs\\.${input} \\}\\}`), input);
  }
  assert.match(yml, /action\/sign\.sh/);
});

test('the sign step signs blobs keylessly with the ambient Actions token against a private instance', async () => {
  const creds = await runSignetAsync([
    'oidc',
    'token',
    '--issuer',
    `${up.url}/oidc`,
    '--actions-env',
    '--github-workflow',
    'octo/app/.github/workflows/release.yml@refs/tags/v1.0.0',
    '--event',
    'push',
  ]);
  assert.equal(creds.status, 0, creds.stderr);
  const env = Object.fromEntries(
    creds.stdout
      .trim()
      .split('\n')
      .map((l) => /^export (\w+)='([^']*)'$/.exec(l)!.slice(1, 3) as [string, string]),
  );
  writeFileSync(join(dir, 'a.tar.gz'), 'a');
  writeFileSync(join(dir, 'b.txt'), 'b');
  const step = await runStep({
    ...env,
    SIGNET_BLOBS: 'a.tar.gz\nb.txt\n',
    SIGNET_SIGNING_CONFIG: `${up.url}/signing_config.json`,
    SIGNET_TRUSTED_ROOT: `${up.url}/trusted_root.json`,
  });
  assert.equal(step.status, 0, step.out);
  assert.match(step.out, /signed 2 artifact/);
  for (const blob of ['a.tar.gz', 'b.txt']) {
    const v = await runSignetAsync(
      [
        'verify-blob',
        '--certificate-identity',
        'https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1.0.0',
        '--certificate-oidc-issuer',
        `${up.url}/oidc/github`,
        '--certificate-github-workflow-trigger',
        'push',
        '--trusted-root',
        `${up.url}/trusted_root.json`,
        '--bundle',
        `${blob}.sigstore.json`,
        blob,
      ],
      { cwd: dir },
    );
    assert.equal(v.status, 0, v.stderr);
  }
});

/** The ambient Actions token variables for a release workflow, from the dev provider. */
async function actionsEnv(): Promise<Record<string, string>> {
  const creds = await runSignetAsync([
    'oidc',
    'token',
    '--issuer',
    `${up.url}/oidc`,
    '--actions-env',
    '--github-workflow',
    'octo/app/.github/workflows/release.yml@refs/tags/v1.0.0',
    '--event',
    'push',
  ]);
  assert.equal(creds.status, 0, creds.stderr);
  return Object.fromEntries(
    creds.stdout
      .trim()
      .split('\n')
      .map((l) => /^export (\w+)='([^']*)'$/.exec(l)!.slice(1, 3) as [string, string]),
  );
}

test('with tuf-mirror and tuf-root the step initializes the private instance and signs with no other input', async () => {
  const home = join(dir, 'home');
  mkdirSync(home, { recursive: true });
  const rootFile = join(dir, 'data', 'tuf', 'repository', 'root.json');
  const rootSha = createHash('sha256').update(readFileSync(rootFile)).digest('hex');
  writeFileSync(join(dir, 'c.txt'), 'c');
  const step = await runStep({
    ...(await actionsEnv()),
    HOME: home,
    SIGNET_BLOBS: 'c.txt',
    SIGNET_TUF_MIRROR: `${up.url}/tuf`,
    SIGNET_TUF_ROOT: rootFile,
    SIGNET_TUF_ROOT_CHECKSUM: `sha256:${rootSha}`,
  });
  assert.equal(step.status, 0, step.out);
  assert.match(step.out, /initialized TUF root version 1/);
  assert.match(step.out, /signed 1 artifact/);
  // A later step (same HOME) verifies through the cached instance with no instance flags.
  const v = await runSignetAsync(
    [
      'verify-blob',
      '--certificate-identity',
      'https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1.0.0',
      '--certificate-oidc-issuer',
      `${up.url}/oidc/github`,
      '--bundle',
      'c.txt.sigstore.json',
      'c.txt',
    ],
    { cwd: dir, env: { HOME: home, TUF_ROOT: '' } },
  );
  assert.equal(v.status, 0, v.stderr);
  assert.match(v.stderr + v.stdout, /Verified OK/);

  // A root that is not the instance's (wrong checksum) stops the step before anything is signed.
  rmSync(join(dir, 'c.txt.sigstore.json'));
  const wrong = await runStep({
    ...(await actionsEnv()),
    HOME: join(dir, 'home2'),
    SIGNET_BLOBS: 'c.txt',
    SIGNET_TUF_MIRROR: `${up.url}/tuf`,
    SIGNET_TUF_ROOT: rootFile,
    SIGNET_TUF_ROOT_CHECKSUM: `sha256:${'0'.repeat(64)}`,
  });
  assert.equal(wrong.status, 1, wrong.out);
  assert.match(wrong.out, /does not match the expected checksum/);
  assert.ok(!existsSync(join(dir, 'c.txt.sigstore.json')));
  const half = await runStep({ ...(await actionsEnv()), SIGNET_BLOBS: 'c.txt', SIGNET_TUF_MIRROR: `${up.url}/tuf` });
  assert.equal(half.status, 1);
  assert.match(half.out, /tuf-mirror needs tuf-root/);
});

test('the sign step fails clearly without id-token permission or without anything to sign', async () => {
  const noToken = await runStep({ SIGNET_BLOBS: 'a.tar.gz' });
  assert.equal(noToken.status, 1);
  assert.match(noToken.out, /id-token: write/);
  const nothing = await runStep({
    ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/x',
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 't',
  });
  assert.equal(nothing.status, 1);
  assert.match(nothing.out, /nothing to sign/);
});
