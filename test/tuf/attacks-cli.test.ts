import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Metadata, MetadataKind, Root } from '@tufjs/models';
import { runSignetAsync, tempDir } from '../helpers/process.js';
import { serveRepo } from './fixture.js';

// Attacks on an instance's TUF repository, seen by the signet CLI as a subprocess (the same repository served by
// the TUF service in this process): each fails closed with one line and nothing is verified. The TUF client's own
// refusals are tested in repository.test.ts; this checks what the user sees.

type Json = Record<string, any>;
const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8'));

async function signet(args: string[], tufRoot: string) {
  const work = tempDir();
  return runSignetAsync(args, { env: { SIGNET_LOG_LEVEL: 'warn', TUF_ROOT: tufRoot, HOME: work } });
}

function assertOneLineRefusal(r: { status: number | null; stderr: string; stdout: string }, why: RegExp) {
  assert.equal(r.status, 1, `${r.stdout}\n${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^signet: error: TUF update from http:\/\/127\.0\.0\.1:\d+\/tuf failed: /);
  assert.match(lines[0]!, why);
}

const initialize = (mirror: string, root: string, tufRoot = join(tempDir(), 'root')) =>
  signet(['initialize', '--mirror', mirror, '--root', root], tufRoot);

test('cli: an expired timestamp is refused', async (t) => {
  let now = Date.now() - 3600_000;
  const { tuf, mirror } = await serveRepo(t, { clock: () => new Date(now), expiry: { timestamp: 60_000 } });
  now = Date.now();
  assertOneLineRefusal(await initialize(mirror, join(tuf.repository.repoDir, 'root.json')), /timestamp.*expired/i);
});

test('cli: a target whose hash does not match is refused', async (t) => {
  const { tuf, mirror } = await serveRepo(t);
  const repo = tuf.repository.repoDir;
  const sha = readJson(join(repo, 'targets.json')).signed.targets['trusted_root.json'].hashes.sha256;
  const file = join(repo, 'targets', `${sha}.trusted_root.json`);
  writeFileSync(file, readFileSync(file, 'utf8').replace('SHA2_256', 'SHA2_384'));
  assertOneLineRefusal(await initialize(mirror, join(repo, 'root.json')), /hash|length/i);
});

test('cli: a rollback to an older timestamp is refused by a client that saw the newer one', async (t) => {
  const { tuf, mirror } = await serveRepo(t);
  const repo = tuf.repository.repoDir;
  const old = join(tempDir(), 'timestamp.json');
  copyFileSync(join(repo, 'timestamp.json'), old);
  await tuf.repository.rotateKeys(['snapshot']); // new snapshot and timestamp versions
  const tufRoot = join(tempDir(), 'root');
  const init = await initialize(mirror, join(repo, '1.root.json'), tufRoot);
  assert.equal(init.status, 0, init.stderr);
  // A bundle made while the repository was good (a key, no log), verified after the rollback.
  const dir = tempDir();
  const artifact = join(dir, 'a.txt');
  writeFileSync(artifact, 'a\n');
  const env = { SIGNET_LOG_LEVEL: 'warn', TUF_ROOT: tufRoot, HOME: dir, COSIGN_PASSWORD: 'pw' };
  const run = (args: string[]) => runSignetAsync(args, { env, cwd: dir });
  assert.equal((await run(['generate-key-pair'])).status, 0);
  const bundle = join(dir, 'a.sigstore.json');
  const signed = await run(['sign-blob', '--key', 'cosign.key', '--tlog-upload=false', '--bundle', bundle, artifact]);
  assert.equal(signed.status, 0, signed.stderr);
  const verify = () =>
    run(['verify-blob', '--key', 'cosign.pub', '--insecure-ignore-tlog', '--bundle', bundle, artifact]);
  const before = await verify();
  assert.equal(before.status, 0, before.stderr);
  copyFileSync(old, join(repo, 'timestamp.json'));
  const r = await verify();
  assertOneLineRefusal(r, /version/i);
});

test('cli: a root signed by too few keys is refused', async (t) => {
  const { tuf, mirror } = await serveRepo(t);
  const repo = tuf.repository.repoDir;
  await tuf.repository.rotateKeys(['root']);
  const v2 = Metadata.fromJSON(MetadataKind.Root, readJson(join(repo, '2.root.json')));
  const newIds = new Set((v2.signed as Root).roles.root!.keyIDs);
  const json = v2.toJSON() as Json;
  json.signatures = json.signatures.filter((s: Json) => newIds.has(s.keyid));
  writeFileSync(join(repo, '2.root.json'), JSON.stringify(json));
  assertOneLineRefusal(await initialize(mirror, join(repo, '1.root.json')), /signed by 0\/1 keys/);
});
