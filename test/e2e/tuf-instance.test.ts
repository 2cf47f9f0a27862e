import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verify as sigstoreVerify } from 'sigstore';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';

// The "run a private Sigstore" scenario end to end, with real processes: `signet up`, `signet initialize`, keyless
// sign and verify with no instance flags, sigstore-js verifying through TUF, then operator steps (root and key
// rotation, a rotated CA, a frozen log) that both clients follow.

type Json = Record<string, any>;
const work = tempDir('signet-tuf-e2e-');
const env = { SIGNET_LOG_LEVEL: 'warn', TUF_ROOT: join(work, 'tuf-root'), HOME: work };
const signet = async (args: string[], expectOk = true) => {
  const r = await runSignetAsync(args, { env });
  if (expectOk) assert.equal(r.status, 0, `signet ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
  return r;
};

test('a private instance through TUF: initialize, sign, verify, sigstore-js, rotations', async (t) => {
  const dataDir = join(work, 'data');
  let stack: RunningStack = await startSignet(['up'], { env, dataDir, readyPath: '/tuf/timestamp.json' });
  t.after(async () => {
    await stack.stop();
    rmSync(work, { recursive: true, force: true });
  });
  const mirror = `${stack.url}/tuf`;
  const rootFile = join(dataDir, 'tuf', 'repository', 'root.json');
  assert.match(stack.output(), new RegExp(`signet initialize --mirror ${mirror} --root ${rootFile}`));
  const firstRoot = join(work, '1.root.json');
  writeFileSync(firstRoot, readFileSync(rootFile));

  await signet(['initialize', '--mirror', mirror, '--root', firstRoot]);
  const artifact = join(work, 'a.txt');
  writeFileSync(artifact, 'hello from a private sigstore\n');

  const signBlob = async (bundle: string) => {
    const token = (await signet(['oidc', 'token', '--email', 'alice@example.com', '--issuer', `${stack.url}/oidc`]))
      .stdout;
    await signet(['sign-blob', '-y', '--identity-token', token.trim(), '--bundle', bundle, artifact]);
  };
  const verifyBlob = (bundle: string, expectOk = true) =>
    signet(
      [
        'verify-blob',
        '--certificate-identity',
        'alice@example.com',
        '--certificate-oidc-issuer',
        `${stack.url}/oidc`,
        '--bundle',
        bundle,
        artifact,
      ],
      expectOk,
    );
  const sjsCache = join(work, 'sigstore-js');
  const sjsVerify = (bundle: string) =>
    sigstoreVerify(JSON.parse(readFileSync(bundle, 'utf8')), readFileSync(artifact), {
      tufMirrorURL: mirror,
      tufRootPath: firstRoot,
      tufCachePath: sjsCache,
      certificateIdentityEmail: 'alice@example.com',
      certificateIssuer: `${stack.url}/oidc`,
    });

  // 1. No instance flags: the signing config names CA, log and issuer; the trusted root verifies.
  const first = join(work, 'first.sigstore.json');
  await signBlob(first);
  const bundle = JSON.parse(readFileSync(first, 'utf8')) as Json;
  assert.equal(bundle.verificationMaterial.tlogEntries.length, 1, JSON.stringify(bundle).slice(0, 600));
  assert.match((await verifyBlob(first)).stderr + (await verifyBlob(first)).stdout, /Verified OK/);
  await sjsVerify(first);

  // 2. The operator rotates the root and online keys: both clients walk to root version 2.
  const rotated = await signet(['tuf', 'rotate-keys', '--data-dir', dataDir, '--role', 'root', 'targets', 'timestamp']);
  assert.match(rotated.stdout, /signed root version 2/);
  const status = (await signet(['tuf', 'status', '--data-dir', dataDir])).stdout;
  for (const role of ['root', 'targets', 'snapshot', 'timestamp']) {
    assert.match(status, new RegExp(`^${role} +version \\d+, expires \\d{4}-`, 'm'), status);
  }
  assert.match(status, /^root +version 2,/m);
  await verifyBlob(first);
  await sjsVerify(first);
  const cachedRoot = (dir: string) => {
    const sub = readdirSync(dir).find((d) => d.includes('tuf'))!;
    return (JSON.parse(readFileSync(join(dir, sub, 'root.json'), 'utf8')) as Json).signed.version;
  };
  assert.equal(cachedRoot(env.TUF_ROOT), 2);
  assert.equal(cachedRoot(sjsCache), 2);

  // 3. The CA is rotated (a new CA on restart): the old one stays trusted for what it signed, with an end date.
  await stack.stop();
  for (const f of readdirSync(join(dataDir, 'ca'))) if (f.startsWith('ca-')) rmSync(join(dataDir, 'ca', f));
  stack = await startSignet(['up'], { env, dataDir, port: stack.port, readyPath: '/tuf/timestamp.json' });
  const second = join(work, 'second.sigstore.json');
  await signBlob(second);
  for (const b of [first, second]) {
    await verifyBlob(b);
    await sjsVerify(b);
  }
  const published = (await (await fetch(`${stack.url}/trusted_root.json`)).json()) as Json;
  assert.equal(published.certificateAuthorities.length, 1, 'the live endpoint shows the current CA only');

  // 4. The operator freezes the log before these entries: both clients now refuse them.
  // The log that holds the entry (Rekor v2 when the signing config lists a TSA), by its log ID.
  const logId = bundle.verificationMaterial.tlogEntries[0].logId.keyId as string;
  await signet(['tuf', 'end-log', '--data-dir', dataDir, logId, '--at', '2020-01-01T00:00:00Z']);
  // Clients see the end through TUF.
  const { getTrustedRoot } = await import('@sigstore/tuf');
  const seen = await getTrustedRoot({ mirrorURL: mirror, cachePath: sjsCache, rootPath: firstRoot });
  const ended = seen.tlogs.find((l) => Buffer.from(l.logId!.keyId).toString('base64') === logId);
  assert.equal(ended?.publicKey?.validFor?.end?.toISOString(), '2020-01-01T00:00:00.000Z');
  // signet refuses both bundles: the Rekor v2 entry is dated by its TSA time, which is after the log's end.
  for (const b of [first, second]) {
    const refused = await verifyBlob(b, false);
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(refused.stderr, /^signet: error: .*signed timestamp \S+ is outside the validity of the log's key/);
    assert.equal(refused.stderr.trim().split('\n').length, 1, refused.stderr);
  }
  const sjs = await sjsVerify(first).then(
    () => 'accepted',
    (e: Error) => e.message,
  );
  console.log('sigstore-js on an ended log:', sjs);

  // 5. Without initialize (another TUF_ROOT), public-good is the default: it does not trust this stack.
  const publicGood = await runSignetAsync(
    [
      'verify-blob',
      '--offline',
      '--certificate-identity',
      'alice@example.com',
      '--certificate-oidc-issuer',
      `${stack.url}/oidc`,
      '--bundle',
      second,
      artifact,
    ],
    { env: { ...env, TUF_ROOT: join(work, 'no-instance') } },
  );
  assert.equal(publicGood.status, 1);
  assert.doesNotMatch(publicGood.stderr, /TUF/);

  // 6. A tampered target fails closed with one line (a client without it cached must download it).
  const repo = join(dataDir, 'tuf', 'repository');
  const targets = (JSON.parse(readFileSync(join(repo, 'targets.json'), 'utf8')) as Json).signed.targets;
  const file = join(repo, 'targets', `${targets['trusted_root.json'].hashes.sha256}.trusted_root.json`);
  writeFileSync(file, readFileSync(file, 'utf8').replace('"tlogs"', '"tlogs" '));
  const tampered = await runSignetAsync(['initialize', '--mirror', mirror, '--root', firstRoot], {
    env: { ...env, TUF_ROOT: join(work, 'fresh') },
  });
  assert.equal(tampered.status, 1);
  assert.equal(tampered.stderr.trim().split('\n').length, 1, tampered.stderr);
  assert.match(tampered.stderr, /^signet: error: TUF update from .* failed: .*(hash|length)/);
});
