// Keyless signing with CI workload identities, as a user types it: `signet up --port 0`, a GitHub Actions (or
// GitLab CI) token from the dev provider, sign-blob, then verify-blob by the workflow's claims. All CLI subprocesses.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSignetAsync, tempDir } from '../helpers/process.js';
import { startUp, type UpProcess } from '../helpers/up.js';

const WORKFLOW = 'octo-org/app/.github/workflows/release.yml@refs/heads/main';
const SHA = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
let up: UpProcess;
let dir: string;
let artifact: string;

before(async () => {
  dir = tempDir('signet-ci-');
  artifact = join(dir, 'app.tar.gz');
  writeFileSync(artifact, 'release bits\n');
  up = await startUp(['--port', '0', '--data-dir', join(dir, 'data')]);
});
after(async () => {
  await up?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const signet = async (args: string[], env: Record<string, string> = {}) => {
  const r = await runSignetAsync(args, { cwd: dir, env: { SIGNET_LOG_LEVEL: 'warn', ...env } });
  return { ...r, ok: r.status === 0 };
};
const trust = () => ['--trusted-root', `${up.url}/trusted_root.json`];

test('--port 0: every URL printed and served names the real port', async () => {
  assert.match(up.url, /^http:\/\/127\.0\.0\.1:[1-9][0-9]*$/);
  assert.doesNotMatch(up.output(), /:0\//);
  for (const path of [
    '/signing_config.json',
    '/trusted_root.json',
    '/api/v2/configuration',
    '/oidc/.well-known/openid-configuration',
    '/oidc/github/.well-known/openid-configuration',
  ]) {
    const text = await (await fetch(up.url + path)).text();
    assert.doesNotMatch(text, /127\.0\.0\.1:0\b|localhost:0\b/, path);
    assert.match(text, new RegExp(up.url.replace(/[.:/]/g, '\\$&')), path);
  }
});

test('GitHub workflow identity: sign-blob keyless, verify-blob by identity regexp and workflow claims', async () => {
  const token = await signet([
    'oidc',
    'token',
    '--issuer',
    `${up.url}/oidc`,
    '--github-workflow',
    WORKFLOW,
    '--sha',
    SHA,
    '--event',
    'push',
    '--repository-id',
    '1234',
  ]);
  assert.ok(token.ok, token.stderr);
  const bundle = join(dir, 'gh.sigstore.json');
  const signed = await signet([
    'sign-blob',
    '--signing-config',
    `${up.url}/signing_config.json`,
    '--identity-token',
    token.stdout.trim(),
    '--bundle',
    bundle,
    artifact,
  ]);
  assert.ok(signed.ok, signed.stderr);
  const policy = [
    '--certificate-identity-regexp',
    '^https://github\\.com/octo-org/app/\\.github/workflows/release\\.yml@refs/heads/main$',
    '--certificate-oidc-issuer',
    `${up.url}/oidc/github`,
    '--certificate-github-workflow-repository',
    'octo-org/app',
    '--certificate-github-workflow-sha',
    SHA,
    '--certificate-github-workflow-trigger',
    'push',
    '--certificate-github-workflow-name',
    'release',
    '--certificate-github-workflow-ref',
    'refs/heads/main',
  ];
  const verified = await signet(['verify-blob', ...policy, ...trust(), '--bundle', bundle, artifact]);
  assert.ok(verified.ok, verified.stderr);
  assert.match(verified.stdout + verified.stderr, /Verified OK/);
  // Each claim is enforced: change one and verification fails with one line.
  for (const [flag, wrong] of [
    ['--certificate-github-workflow-sha', 'b'.repeat(40)],
    ['--certificate-github-workflow-repository', 'octo-org/other'],
    ['--certificate-github-workflow-trigger', 'pull_request'],
    ['--certificate-github-workflow-ref', 'refs/heads/dev'],
  ] as const) {
    const changed = [...policy];
    changed[changed.indexOf(flag) + 1] = wrong;
    const r = await signet(['verify-blob', ...changed, ...trust(), '--bundle', bundle, artifact]);
    assert.equal(r.status, 1, `${flag} ${wrong} should fail`);
    assert.match(r.stderr, /^signet: error: /m);
  }
});

test('the ambient Actions path: ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN from the dev provider, picked up by sign-blob', async () => {
  const creds = await signet([
    'oidc',
    'token',
    '--issuer',
    `${up.url}/oidc`,
    '--actions-env',
    '--github-workflow',
    'octo-org/app/.github/workflows/ci.yml@refs/tags/v1.2.0',
    '--sha',
    SHA,
    '--event',
    'release',
  ]);
  assert.ok(creds.ok, creds.stderr);
  const env = Object.fromEntries(
    creds.stdout
      .trim()
      .split('\n')
      .map((l) => /^export (\w+)='([^']*)'$/.exec(l)!.slice(1, 3) as [string, string]),
  );
  assert.deepEqual(Object.keys(env).sort(), ['ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_URL']);
  const bundle = join(dir, 'ambient.sigstore.json');
  const signed = await signet(
    ['sign-blob', '--signing-config', `${up.url}/signing_config.json`, '--bundle', bundle, '--yes', artifact],
    env,
  );
  assert.ok(signed.ok, signed.stderr);
  const verified = await signet([
    'verify-blob',
    '--certificate-identity',
    'https://github.com/octo-org/app/.github/workflows/ci.yml@refs/tags/v1.2.0',
    '--certificate-oidc-issuer',
    `${up.url}/oidc/github`,
    '--certificate-github-workflow-trigger',
    'release',
    ...trust(),
    '--bundle',
    bundle,
    artifact,
  ]);
  assert.ok(verified.ok, verified.stderr);
  // A wrong request token is refused by the endpoint: sign-blob fails with one line, no certificate.
  const refused = await signet(
    ['sign-blob', '--signing-config', `${up.url}/signing_config.json`, '--bundle', join(dir, 'x.json'), artifact],
    { ...env, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'not-the-token' },
  );
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /^signet: error: .*401/m);
});

test('GitLab CI identity: the certificate names the pipeline config, verify-blob checks it', async () => {
  const token = await signet([
    'oidc',
    'token',
    '--issuer',
    `${up.url}/oidc`,
    '--gitlab-project-path',
    'grp/app',
    '--ref',
    'v2.0.0',
    '--ref-type',
    'tag',
  ]);
  assert.ok(token.ok, token.stderr);
  const bundle = join(dir, 'gl.sigstore.json');
  const signed = await signet([
    'sign-blob',
    '--signing-config',
    `${up.url}/signing_config.json`,
    '--identity-token',
    token.stdout.trim(),
    '--bundle',
    bundle,
    artifact,
  ]);
  assert.ok(signed.ok, signed.stderr);
  const verify = (identity: string) =>
    signet([
      'verify-blob',
      '--certificate-identity',
      identity,
      '--certificate-oidc-issuer',
      `${up.url}/oidc/gitlab`,
      ...trust(),
      '--bundle',
      bundle,
      artifact,
    ]);
  assert.ok((await verify('https://gitlab.com/grp/app//.gitlab-ci.yml@refs/tags/v2.0.0')).ok);
  assert.equal((await verify('https://gitlab.com/grp/app//.gitlab-ci.yml@refs/heads/main')).status, 1);
});

test('oidc token: bad CI input is a one-line error', async () => {
  const cases = [
    ['--github-workflow', 'octo/app'],
    ['--github-workflow', WORKFLOW, '--sha', 'nothex'],
    ['--gitlab-project-path', 'grp/app', '--run-id', '5'],
    ['--github-workflow', WORKFLOW, '--claim', 'color=red'],
    ['--github-workflow', WORKFLOW, '--email', 'a@b.co'],
    ['--email', 'a@b.co', '--actions-env'],
  ];
  for (const args of cases) {
    const r = await signet(['oidc', 'token', '--issuer', `${up.url}/oidc`, ...args]);
    assert.equal(r.status, 1, args.join(' '));
    assert.match(r.stderr, /^signet: error: [^\n]+\n(signet: hint: [^\n]+\n)?$/, args.join(' '));
  }
});
