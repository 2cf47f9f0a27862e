import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initTUF } from '@sigstore/tuf';
import { Metadata, MetadataKind, Root } from '@tufjs/models';
import { KeyStore } from '../../src/tuf/index.js';
import { tempDir } from '../helpers/process.js';
import { serveRepo } from './fixture.js';

type Json = Record<string, any>;

/** A fresh TUF client (@sigstore/tuf over tuf-js, as sigstore-js uses) bootstrapped from the repository's root. */
function client(mirror: string, rootPath: string, cachePath = tempDir('signet-tuf-client-')) {
  return initTUF({ mirrorURL: mirror, rootPath, cachePath, retry: false, timeout: 5000, forceCache: false });
}

const readJson = (path: string): Json => JSON.parse(readFileSync(path, 'utf8'));

test('the repository is TUF 1.0 with consistent snapshots, P-256 keys and the Sigstore targets', async (t) => {
  const { tuf, mirror, dir } = await serveRepo(t);
  const repo = tuf.repository.repoDir;
  const root = readJson(join(repo, '1.root.json'));
  assert.equal(root.signed._type, 'root');
  assert.equal(root.signed.consistent_snapshot, true);
  for (const key of Object.values(root.signed.keys) as Json[]) {
    assert.equal(key.keytype, 'ecdsa');
    assert.equal(key.scheme, 'ecdsa-sha2-nistp256');
    assert.match(key.keyval.public, /^-----BEGIN PUBLIC KEY-----/);
  }
  const targets = readJson(join(repo, 'targets.json')).signed.targets;
  assert.deepEqual(Object.keys(targets).sort(), ['rekor.pub', 'signing_config.v0.2.json', 'trusted_root.json']);
  assert.deepEqual(targets['rekor.pub'].custom, {
    sigstore: { usage: 'Rekor', status: 'Active', uri: 'http://127.0.0.1:1' },
  });
  // Keys: 0600, the root key encrypted.
  const keysDir = join(dir, 'tuf', 'keys');
  const keys = new KeyStore(keysDir, 'wrong password');
  assert.throws(() => keys.load('root'), /cannot read the TUF root key/);
  assert.equal(keys.load('timestamp').length, 1);
  for (const name of ['root', 'timestamp']) {
    const file = (await import('node:fs')).readdirSync(keysDir).find((f) => f.startsWith(name))!;
    assert.equal(statSync(join(keysDir, file)).mode & 0o777, 0o600);
    if (name === 'root') assert.match(readFileSync(join(keysDir, file), 'utf8'), /ENCRYPTED PRIVATE KEY/);
  }

  const tufClient = await client(mirror, join(repo, '1.root.json'));
  const trusted = JSON.parse(await tufClient.getTarget('trusted_root.json'));
  assert.equal(trusted.tlogs[0].baseUrl, 'http://127.0.0.1:1');
  const config = JSON.parse(await tufClient.getTarget('signing_config.v0.2.json'));
  assert.equal(config.mediaType, 'application/vnd.dev.sigstore.signingconfig.v0.2+json');

  // Paths outside the repository's names are 404, never a file.
  for (const path of ['/tuf/..%2F..%2Fkeys', '/tuf/targets/..%2Froot.json', '/tuf/2.root.json', '/tuf/keys']) {
    assert.equal((await fetch(new URL(path, mirror).href)).status, 404, path);
  }
});

test('changed trust material is published as a new targets version; a client follows it', async (t) => {
  const { tuf, mirror, inputs } = await serveRepo(t);
  const repo = tuf.repository.repoDir;
  const cache = tempDir('signet-tuf-client-');
  const before = JSON.parse(
    await (await client(mirror, join(repo, 'root.json'), cache)).getTarget('trusted_root.json'),
  );
  const oldKeyId = before.tlogs[0].logId.keyId;

  // The log key is rotated: the old key stays, its validity ended, the new one is added.
  inputs.tlogs[0] = { ...inputs.tlogs[0]!, publicKey: (await import('./fixture.js')).fakeInputs().tlogs[0]!.publicKey };
  await tuf.tick();
  await tuf.tick(); // nothing changed: no new version
  assert.equal(readJson(join(repo, 'targets.json')).signed.version, 3);
  const after = JSON.parse(
    await (await client(mirror, join(repo, '1.root.json'), cache)).getTarget('trusted_root.json'),
  );
  assert.equal(after.tlogs.length, 2);
  assert.equal(after.tlogs[0].logId.keyId, oldKeyId);
  assert.ok(after.tlogs[0].publicKey.validFor.end, 'the rotated key has an end');
  assert.equal(after.tlogs[1].publicKey.validFor.end, undefined);
});

test('metadata past half its lifetime is re-signed', async (t) => {
  let now = Date.now();
  const { tuf } = await serveRepo(t, {
    clock: () => new Date(now),
    expiry: { timestamp: 60_000, snapshot: 600_000 },
  });
  assert.deepEqual(await tuf.repository.refresh(), []);
  now += 31_000;
  assert.deepEqual(await tuf.repository.refresh(), ['timestamp']);
  now += 300_000;
  assert.deepEqual(await tuf.repository.refresh(), ['snapshot', 'timestamp']);
});

test('the timer keeps short-lived metadata fresh: it checks at least every quarter of the shortest lifetime', async (t) => {
  let now = Date.now();
  const { tuf, mirror } = await serveRepo(t, { clock: () => new Date(now), expiry: { timestamp: 10_000 } });
  const version = async () =>
    ((await (await fetch(`${mirror}/timestamp.json`)).json()) as TimestampJson).signed.version;
  const before = await version();
  now += 6_000; // past half-life: the next check re-signs it
  // The default 60 s check would serve this timestamp expired first; a check every 2.5 s re-signs it.
  const deadline = Date.now() + 8_000;
  while ((await version()) === before) {
    assert.ok(Date.now() < deadline, 'timestamp.json was re-signed by the timer');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(tuf.repository.expiry.timestamp, 10_000);
});

test('root rotation: the new root is signed by old and new keys and a client walks to it', async (t) => {
  const { tuf, mirror } = await serveRepo(t);
  const repo = tuf.repository.repoDir;
  const cache = tempDir('signet-tuf-client-');
  await (await client(mirror, join(repo, '1.root.json'), cache)).getTarget('trusted_root.json');
  assert.equal(await tuf.repository.rotateKeys(['root', 'timestamp']), 2);
  const v2 = readJson(join(repo, '2.root.json'));
  const v1 = readJson(join(repo, '1.root.json'));
  assert.equal(v2.signatures.length, 2);
  assert.notDeepEqual(v2.signed.roles.root.keyids, v1.signed.roles.root.keyids);
  assert.notDeepEqual(v2.signed.roles.timestamp.keyids, v1.signed.roles.timestamp.keyids);
  await (await client(mirror, join(repo, '1.root.json'), cache)).getTarget('trusted_root.json');
  assert.equal(readJson(join(cache, (await import('node:fs')).readdirSync(cache)[0]!, 'root.json')).signed.version, 2);
});

// Attacks: each must fail closed in the client, with tuf-js naming what was wrong.
async function refreshError(mirror: string, root: string, cache?: string): Promise<string> {
  try {
    await (await client(mirror, root, cache)).getTarget('trusted_root.json');
  } catch (e) {
    const err = e as Error & { cause?: Error };
    return `${err.message}: ${err.cause?.message ?? ''}`;
  }
  assert.fail('the client accepted the repository');
}

test('attack: an expired timestamp is refused', async (t) => {
  let now = Date.now() - 3600_000;
  const { tuf, mirror } = await serveRepo(t, { clock: () => new Date(now), expiry: { timestamp: 60_000 } });
  now = Date.now(); // the server's clock stood still an hour ago; the client's is now
  assert.match(await refreshError(mirror, join(tuf.repository.repoDir, 'root.json')), /timestamp.* expired/i);
});

test('attack: a target whose hash does not match is refused', async (t) => {
  const { tuf, mirror } = await serveRepo(t);
  const repo = tuf.repository.repoDir;
  const sha = readJson(join(repo, 'targets.json')).signed.targets['trusted_root.json'].hashes.sha256;
  const file = join(repo, 'targets', `${sha}.trusted_root.json`);
  writeFileSync(file, readFileSync(file, 'utf8').replace('SHA2_256', 'SHA2_384'));
  assert.match(await refreshError(mirror, join(repo, 'root.json')), /hash|length/i);
});

test('attack: a rollback to an older timestamp is refused', async (t) => {
  const { tuf, mirror } = await serveRepo(t);
  const repo = tuf.repository.repoDir;
  const cache = tempDir('signet-tuf-client-');
  const old = join(tempDir(), 'timestamp.json');
  copyFileSync(join(repo, 'timestamp.json'), old);
  await tuf.repository.rotateKeys(['snapshot']); // new snapshot and timestamp versions
  await (await client(mirror, join(repo, '1.root.json'), cache)).getTarget('trusted_root.json');
  copyFileSync(old, join(repo, 'timestamp.json'));
  assert.match(await refreshError(mirror, join(repo, '1.root.json'), cache), /version/i);
});

test('attack: a root signed by too few keys is refused', async (t) => {
  const { tuf, mirror } = await serveRepo(t);
  const repo = tuf.repository.repoDir;
  await tuf.repository.rotateKeys(['root']);
  // Drop the old root key's signature from version 2: the version-1 threshold is no longer met.
  const v2 = Metadata.fromJSON(MetadataKind.Root, readJson(join(repo, '2.root.json')));
  const newIds = new Set((v2.signed as Root).roles.root!.keyIDs);
  const json = v2.toJSON() as Json;
  json.signatures = json.signatures.filter((s: Json) => newIds.has(s.keyid));
  writeFileSync(join(repo, '2.root.json'), JSON.stringify(json));
  assert.match(await refreshError(mirror, join(repo, '1.root.json')), /signed by 0\/1 keys/);
});

interface TimestampJson {
  signed: { version: number };
}
