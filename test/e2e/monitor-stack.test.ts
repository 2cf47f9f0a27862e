import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cosignatureV1Signer, formatVerifierKey, parseNote } from '../../src/note/index.js';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';

// The scenario: a watched identity signs keylessly, and the next `monitor --once` says so (exit 2).
const env = { SIGNET_LOG_LEVEL: 'warn' };
let stack: RunningStack;
let dir: string;
const file = (name: string) => join(dir, name);
const signet = (args: string[]) => runSignetAsync(args, { env, cwd: dir });
const jsonLines = (s: string) =>
  s
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);

before(async () => {
  delete process.env.SIGSTORE_ID_TOKEN;
  delete process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
  stack = await startSignet(['up'], { env, readyPath: '/signing_config.json' });
  dir = tempDir('signet-monitor-stack-');
  writeFileSync(file('artifact.txt'), 'release 1.0\n');
  writeFileSync(file('log.pem'), await (await fetch(`${stack.url}/api/v1/log/publicKey`)).text());
});
after(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('monitor --once reports a keyless signature by a watched email, through the Rekor API and through tiles', async () => {
  const watch = (subject: string) => {
    const path = file(`watch-${subject}.json`);
    writeFileSync(path, JSON.stringify({ identities: [{ subject, issuer: `${stack.url}/oidc` }] }));
    return path;
  };
  const monitor = (...extra: string[]) =>
    signet(['monitor', '--url', stack.url, '--once', '--output', 'json', '--state-dir', file('state'), ...extra]);

  const first = await monitor('--config', watch('alice@example.com'));
  assert.equal(first.status, 0, first.stderr);

  const token = await signet(['oidc', 'token', '--email', 'alice@example.com', '--issuer', `${stack.url}/oidc`]);
  assert.equal(token.status, 0, token.stderr);
  const urls = ['--fulcio-url', stack.url, '--rekor-url', stack.url];
  const signed = await signet([
    'sign-blob',
    ...urls,
    '--identity-token',
    token.stdout.trim(),
    '--bundle',
    'b.json',
    file('artifact.txt'),
  ]);
  assert.equal(signed.status, 0, signed.stderr);

  const found = await monitor('--config', watch('alice@example.com'));
  assert.equal(found.status, 2, found.stdout + found.stderr);
  const match = jsonLines(found.stderr).find((e) => e.event === 'match');
  assert.deepEqual(match?.matches, [{ reason: 'identity', value: 'alice@example.com', issuer: `${stack.url}/oidc` }]);

  // The tiles checkpoint is published at an interval (1 s, for witnesses): wait until it holds the entry.
  await publishedSize(stack.url, 1);
  const tiles = await signet([
    'monitor',
    '--url',
    stack.url,
    '--api',
    'tiles',
    '--public-key',
    file('log.pem'),
    '--once',
    '--output',
    'json',
    '--state-dir',
    file('tiles-state'),
    '--start-index',
    '0',
    '--config',
    watch('alice@example.com'),
  ]);
  assert.equal(tiles.status, 2, tiles.stdout + tiles.stderr);
  assert.equal(jsonLines(tiles.stderr).filter((e) => e.event === 'match').length, 1);

  const other = await signet([
    'monitor',
    '--url',
    stack.url,
    '--once',
    '--state-dir',
    file('bob-state'),
    '--start-index',
    '0',
    '--config',
    watch('bob@example.com'),
  ]);
  assert.equal(other.status, 0, other.stderr);
  assert.match(other.stdout, /checked entries \[0, 1\)/);
});

test('monitor follows the Rekor v2 log of signet up (tiles under /api/v2), its key taken from the trusted root', async () => {
  const watchFile = file('watch-carol.json');
  writeFileSync(watchFile, JSON.stringify({ identities: [{ subject: 'carol@example.com' }] }));
  const v2 = (trustedRoot: string, state: string) =>
    signet([
      'monitor',
      '--url',
      `${stack.url}/api/v2`,
      '--api',
      'tiles',
      '--trusted-root',
      trustedRoot,
      '--once',
      '--output',
      'json',
      '--state-dir',
      file(state),
      '--config',
      watchFile,
    ]);
  const before = await v2(`${stack.url}/trusted_root.json`, 'v2-state');
  assert.equal(before.status, 0, before.stderr);

  // The default selection of the stack's signing config: Rekor v2 and a TSA timestamp.
  const token = await signet(['oidc', 'token', '--email', 'carol@example.com', '--issuer', `${stack.url}/oidc`]);
  assert.equal(token.status, 0, token.stderr);
  const signed = await signet([
    'sign-blob',
    '--signing-config',
    `${stack.url}/signing_config.json`,
    '--identity-token',
    token.stdout.trim(),
    '--bundle',
    'c.json',
    file('artifact.txt'),
  ]);
  assert.equal(signed.status, 0, signed.stderr);
  const bundle = JSON.parse(readFileSync(file('c.json'), 'utf8'));
  assert.equal(bundle.verificationMaterial.tlogEntries[0].kindVersion.version, '0.0.2');
  // The published checkpoint (with its cosignatures) may trail the one in the write's reply by a publication tick.
  for (let i = 0; i < 100; i++) {
    const note = await (await fetch(`${stack.url}/api/v2/checkpoint`)).text();
    if (Number(note.split('\n')[1]) >= 1) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const found = await v2(`${stack.url}/trusted_root.json`, 'v2-state');
  assert.equal(found.status, 2, found.stdout + found.stderr);
  const match = jsonLines(found.stderr).find((e) => e.event === 'match');
  assert.deepEqual(match?.matches, [{ reason: 'identity', value: 'carol@example.com', issuer: `${stack.url}/oidc` }]);

  // A trusted root without the v2 log's key: nothing to trust its checkpoints with, so an error, not a pass.
  const root = (await (await fetch(`${stack.url}/trusted_root.json`)).json()) as {
    tlogs: { publicKey: { keyDetails: string } }[];
  };
  root.tlogs = root.tlogs.filter(
    (l: { publicKey: { keyDetails: string } }) => l.publicKey.keyDetails !== 'PKIX_ED25519',
  );
  writeFileSync(file('v1-only-root.json'), JSON.stringify(root));
  const refused = await v2(file('v1-only-root.json'), 'v2-refused-state');
  assert.equal(refused.status, 1, refused.stdout + refused.stderr);
  assert.match(refused.stderr, /no log key in the trusted root .* verifies the checkpoint/);
});

/** Waits (up to 10 s) until the log's published tiles checkpoint covers at least `size` entries. */
async function publishedSize(url: string, size: number): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    const text = await (await fetch(`${url}/checkpoint`)).text();
    if (Number(text.split('\n')[1]) >= size) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the published checkpoint did not reach size ${size} within 10 s`);
}

test('monitor --witness checks the cosignatures on the checkpoint a signet log publishes, through the Rekor v1 API', async () => {
  const witnessKey = (name: string) => {
    const k = generateKeyPairSync('ed25519');
    return { ...k, vkey: formatVerifierKey(name, k.publicKey, 0x04) };
  };
  const w1 = witnessKey('witness.example/w1');
  const w2 = witnessKey('witness.example/w2');
  const log = await startSignet(['log', 'serve', '--witness', w1.vkey, '--checkpoint-interval', '100ms'], { env });
  try {
    // The witness cosigns the published checkpoint and pushes its line, as docs/scale.md describes.
    const text = parseNote(await (await fetch(`${log.url}/checkpoint`)).text()).text;
    const signer = cosignatureV1Signer('witness.example/w1', w1.privateKey);
    const hint = Buffer.alloc(4);
    hint.writeUInt32BE(signer.keyHash >>> 0);
    const line = `— witness.example/w1 ${Buffer.concat([hint, signer.sign(Buffer.from(text))]).toString('base64')}\n`;
    const pushed = await fetch(`${log.url}/witness/cosign`, {
      method: 'POST',
      body: line,
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(pushed.status, 200, await pushed.text());
    const monitor = (state: string, ...witnesses: string[]) =>
      signet([
        'monitor',
        '--url',
        log.url,
        '--once',
        '--output',
        'json',
        '--state-dir',
        file(state),
        ...witnesses.flatMap((w) => ['--witness', w]),
      ]);
    const cosigned = await monitor('w1', w1.vkey);
    assert.equal(cosigned.status, 0, cosigned.stdout + cosigned.stderr);
    assert.deepEqual(jsonLines(cosigned.stdout).find((e) => e.event === 'checkpoint')?.witnesses, [
      'witness.example/w1',
    ]);
    // A witness that never cosigned: the checkpoint is refused (exit 3).
    const missing = await monitor('w2', w2.vkey);
    assert.equal(missing.status, 3, missing.stdout + missing.stderr);
    assert.match(missing.stderr, /0 valid witness cosignatures, 1 required/);
    // Rekor v1's signedTreeHead itself keeps only the log's signature (Rekor's parser refuses any other line).
    const info = (await (await fetch(`${log.url}/api/v1/log`)).json()) as { signedTreeHead: string };
    assert.equal(parseNote(info.signedTreeHead).signatures.length, 1);
  } finally {
    await log.stop();
  }
});
