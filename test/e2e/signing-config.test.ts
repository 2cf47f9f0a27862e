import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';

const env = { SIGNET_LOG_LEVEL: 'warn' };
const START = 'start-time=2020-01-01T00:00:00Z,operator=signet';

/** `signet signing-config create` (cosign's): a config built from a stack's own, then used to sign keyless. */
describe('signing-config create', () => {
  let stack: RunningStack | undefined;
  let dir = '';
  const file = (name: string) => join(dir, name);
  const signet = (args: string[]) => runSignetAsync(args, { env, cwd: dir });
  const ok = (r: { status: number | null; stderr: string }) => assert.equal(r.status, 0, r.stderr);

  before(async () => {
    stack = await startSignet(['up'], { env, readyPath: '/signing_config.json' });
    dir = tempDir('signet-signing-config-');
  });
  after(async () => {
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("replaces the base config's logs with --rekor, drops its TSAs, and signs with the result", async () => {
    const created = await signet([
      'signing-config',
      'create',
      '--base-config',
      `${stack!.url}/signing_config.json`,
      '--rekor',
      `url=${stack!.url},api-version=1,${START}`,
      '--rekor-config',
      'ANY',
      '--no-default-tsa',
      '--out',
      file('sc.json'),
    ]);
    ok(created);
    const config = JSON.parse(readFileSync(file('sc.json'), 'utf8'));
    assert.deepEqual(Object.keys(config), [
      'mediaType',
      'caUrls',
      'oidcUrls',
      'rekorTlogUrls',
      'rekorTlogConfig',
      'tsaUrls',
    ]);
    assert.deepEqual(config.rekorTlogUrls, [
      { url: stack!.url, majorApiVersion: 1, validFor: { start: '2020-01-01T00:00:00Z' }, operator: 'signet' },
    ]);
    assert.deepEqual(config.tsaUrls, []);
    assert.equal(config.caUrls[0].url, stack!.url, "the base config's CA is kept");

    const token = await signet(['oidc', 'token', '--email', 'alice@example.com', '--issuer', `${stack!.url}/oidc`]);
    ok(token);
    writeFileSync(file('a.txt'), 'signed with a created config\n');
    const sign = ['sign-blob', '--signing-config', file('sc.json'), '--identity-token', token.stdout.trim(), '-y'];
    ok(await signet([...sign, '--bundle', file('a.sigstore.json'), file('a.txt')]));
    const bundle = JSON.parse(readFileSync(file('a.sigstore.json'), 'utf8'));
    assert.equal(bundle.verificationMaterial.tlogEntries[0].kindVersion.version, '0.0.1', 'Rekor v1, as configured');
    ok(
      await signet([
        'verify-blob',
        '--bundle',
        file('a.sigstore.json'),
        '--certificate-identity',
        'alice@example.com',
        '--certificate-oidc-issuer',
        `${stack!.url}/oidc`,
        '--trusted-root',
        `${stack!.url}/trusted_root.json`,
        file('a.txt'),
      ]),
    );
  });

  it('bad specs are one-line errors', async () => {
    const cases: [string[], string][] = [
      [
        ['--rekor', `url=https://x,api-version=1,${START}`],
        '--rekor-config must be provided when --rekor is specified',
      ],
      [
        ['--fulcio', 'url=https://x,api-version=1'],
        "parsing fulcio spec: missing required key 'start-time' in service spec",
      ],
      [['--tsa', `url=https://x,api-version=one,${START}`, '--tsa-config', 'ANY'], 'api-version "one" is not a number'],
      [
        ['--oidc-provider', 'url=https://x,api-version=1,start-time=yesterday,operator=o'],
        'start-time "yesterday" is not an RFC 3339 time',
      ],
      [
        ['--rekor', `url=https://x,api-version=1,${START}`, '--rekor-config', 'EXACT'],
        '--rekor-config: mode EXACT requires a count',
      ],
      [
        ['--tsa', `url=https://x,api-version=1,${START}`, '--tsa-config', 'SOME'],
        '--tsa-config: invalid service config mode: SOME',
      ],
      [['--fulcio', `url=ftp://x,api-version=1,${START}`], 'is not an http(s) URL'],
    ];
    for (const [args, error] of cases) {
      const r = await signet(['signing-config', 'create', ...args]);
      assert.equal(r.status, 1, args.join(' '));
      const [first, ...rest] = r.stderr.trim().split('\n');
      assert.ok(first!.startsWith('signet: error: ') && first!.includes(error), r.stderr);
      assert.ok(
        rest.every((l) => l.startsWith('signet: hint: ')),
        r.stderr,
      );
    }
  });
});
