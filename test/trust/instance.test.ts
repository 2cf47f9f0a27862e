import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { isSignetError } from '../../src/errors.js';
import {
  applyCosignEnv,
  configuredMirror,
  initializeInstance,
  loadTrustedRoot,
  resolveInstance,
} from '../../src/trust/index.js';
import { tempDir } from '../helpers/process.js';
import { serveRepo } from '../tuf/fixture.js';

// These tests set TUF_ROOT / TUF_MIRROR the way a user would; restore them after each.
function withEnv(t: import('node:test').TestContext, vars: Record<string, string | undefined>): void {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  t.after(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
}

test('initialize caches the instance as cosign does; later loads use it with no flags', async (t) => {
  const { tuf, mirror } = await serveRepo(t);
  const tufRoot = join(tempDir(), 'root');
  withEnv(t, { TUF_ROOT: tufRoot, TUF_MIRROR: undefined, TUF_ROOT_JSON: undefined });
  const root = join(tuf.repository.repoDir, '1.root.json');
  const instance = await initializeInstance({ mirror: mirror + '/', root });
  assert.equal(instance.mirror, mirror);
  assert.equal(instance.rootVersion, 1);
  assert.equal(instance.signingConfig?.rekorTlogUrls?.[0]?.url, 'http://127.0.0.1:1');
  assert.deepEqual(JSON.parse(readFileSync(join(tufRoot, 'remote.json'), 'utf8')), { mirror });
  assert.equal(statSync(tufRoot).mode & 0o777, 0o700);
  assert.equal(configuredMirror(), mirror);

  const loaded = await loadTrustedRoot();
  assert.equal(loaded.origin, mirror);
  assert.equal(loaded.root.tlogs?.[0]?.baseUrl, 'http://127.0.0.1:1');
  // --trusted-root still overrides the instance.
  const file = join(tempDir(), 'tr.json');
  writeFileSync(file, JSON.stringify(loaded.root));
  assert.equal((await loadTrustedRoot({ trustedRoot: file })).origin, file);
});

test('a failed initialize keeps the previous trust; a wrong checksum or a non-root is refused', async (t) => {
  const { tuf, mirror } = await serveRepo(t);
  const tufRoot = join(tempDir(), 'root');
  withEnv(t, { TUF_ROOT: tufRoot, TUF_MIRROR: undefined });
  const root = join(tuf.repository.repoDir, '1.root.json');
  await initializeInstance({ mirror, root });
  await assert.rejects(initializeInstance({ mirror: 'http://127.0.0.1:1/tuf', root }), (e) =>
    isSignetError(e, 'pushback'),
  );
  assert.equal(configuredMirror(), mirror);
  await assert.rejects(
    initializeInstance({ mirror, root, rootChecksum: 'sha256:00' }),
    /does not match the expected checksum/,
  );
  const sha = (await import('node:crypto')).createHash('sha256').update(readFileSync(root)).digest('hex');
  await initializeInstance({ mirror, root, rootChecksum: `sha256:${sha}` });
  await assert.rejects(initializeInstance({ mirror, root: '/etc/hostname' }), /is not a TUF root.json/);
  // Never empties a directory that is not a TUF cache.
  const home = tempDir();
  writeFileSync(join(home, 'precious'), 'x');
  await assert.rejects(initializeInstance({ mirror, root, tufRoot: home }), /refusing to replace it/);
  assert.ok(existsSync(join(home, 'precious')));
});

test('without initialize there is no instance (public-good stays the default)', async (t) => {
  withEnv(t, { TUF_ROOT: join(tempDir(), 'none'), TUF_MIRROR: undefined });
  assert.equal(await resolveInstance(), undefined);
  assert.equal((await loadTrustedRoot({ offline: true })).origin, 'embedded');
});

test('a mirror with no cached root asks for initialize', async (t) => {
  withEnv(t, { TUF_ROOT: join(tempDir(), 'r'), TUF_MIRROR: 'http://127.0.0.1:1/tuf' });
  await assert.rejects(resolveInstance(), /no TUF root cached for http:\/\/127.0.0.1:1\/tuf/);
});

test('offline, or with the mirror down, unexpired cached metadata is used', async (t) => {
  const { tuf, mirror, app } = await serveRepo(t);
  withEnv(t, { TUF_ROOT: join(tempDir(), 'root'), TUF_MIRROR: undefined });
  await initializeInstance({ mirror, root: join(tuf.repository.repoDir, 'root.json') });
  await app.close();
  assert.equal((await resolveInstance())?.mirror, mirror);
  assert.equal((await resolveInstance({ offline: true }))?.mirror, mirror);
});

test("cosign's SIGSTORE_* variables replace the parts of the trusted root they name", async (t) => {
  const { tuf, mirror } = await serveRepo(t);
  withEnv(t, { TUF_ROOT: join(tempDir(), 'root'), TUF_MIRROR: undefined });
  await initializeInstance({ mirror, root: join(tuf.repository.repoDir, 'root.json') });
  const dir = tempDir();
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  writeFileSync(join(dir, 'rekor.pub'), key.export({ type: 'spki', format: 'pem' }));
  withEnv(t, { SIGSTORE_REKOR_PUBLIC_KEY: join(dir, 'rekor.pub') });
  const loaded = await loadTrustedRoot();
  assert.equal(loaded.root.tlogs?.length, 1);
  assert.equal(
    loaded.root.tlogs?.[0]?.publicKey.rawBytes,
    key.export({ type: 'spki', format: 'der' }).toString('base64'),
  );
  assert.match(loaded.origin, /SIGSTORE_\* environment/);
  assert.throws(() => applyCosignEnv(loaded.root, { SIGSTORE_CT_LOG_PUBLIC_KEY_FILE: '/nonexistent' }), /cannot read/);
  writeFileSync(join(dir, 'ca.pem'), 'nothing');
  assert.throws(() => applyCosignEnv(loaded.root, { SIGSTORE_ROOT_FILE: join(dir, 'ca.pem') }), /no PEM certificate/);
});
