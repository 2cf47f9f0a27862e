import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { parseTrustedRoot } from '../../src/bundle/index.js';
import { isSignetError } from '../../src/errors.js';
import { embeddedTrustedRoot, loadTrustedRoot, refreshTrustedRoot, seedsPath } from '../../src/trust/index.js';

import { conformanceDir } from '../helpers/env.js';
import { tempDir } from '../helpers/process.js';

const prodPath = () => join(conformanceDir, 'production_trusted_root.json');

test('the embedded root is the public-good production root', () => {
  const shared = parseTrustedRoot(JSON.parse(readFileSync(prodPath(), 'utf8')));
  assert.deepEqual(embeddedTrustedRoot(), shared);
});

test('--offline uses the embedded root and never creates the TUF cache', async () => {
  const cacheDir = join(tempDir(), 'tuf');
  const loaded = await loadTrustedRoot({ offline: true, cacheDir });
  assert.equal(loaded.origin, 'embedded');
  assert.equal(existsSync(cacheDir), false);
  await assert.rejects(
    loadTrustedRoot({ offline: true, trustedRoot: 'http://127.0.0.1:1/trusted_root.json' }),
    (e) => isSignetError(e, 'invalid-input') && e.detail.option === 'offline',
  );
});

test('a trusted root file replaces the default; a bad one is a clear error', async () => {
  const loaded = await loadTrustedRoot({ trustedRoot: prodPath(), offline: true });
  assert.equal(loaded.origin, prodPath());
  const dir = tempDir();
  writeFileSync(join(dir, 'bad.json'), '{"mediaType": 3');
  await assert.rejects(loadTrustedRoot({ trustedRoot: join(dir, 'bad.json') }), (e) =>
    isSignetError(e, 'invalid-input'),
  );
  await assert.rejects(loadTrustedRoot({ trustedRoot: join(dir, 'missing.json') }), /cannot read the trusted root/);
});

test('a trusted root URL is fetched (as a signet stack serves it)', async (t) => {
  const body = readFileSync(prodPath());
  const server = createServer((req, res) => {
    if (req.url === '/trusted_root.json') res.end(body);
    else res.writeHead(404).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const loaded = await loadTrustedRoot({ trustedRoot: `${base}/trusted_root.json` });
  assert.equal(loaded.root.tlogs!.length, 2);
  await assert.rejects(loadTrustedRoot({ trustedRoot: `${base}/nope.json` }), /HTTP 404/);
});

test('a TUF refresh that cannot reach its mirror falls back quickly and backs off', async (t) => {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const mirrorUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const cacheDir = tempDir();
  const seeds = JSON.parse(readFileSync(seedsPath(), 'utf8'))['https://tuf-repo-cdn.sigstore.dev'];
  const rootPath = join(cacheDir, 'seed-root.json');
  writeFileSync(rootPath, Buffer.from(seeds['root.json'], 'base64'));
  assert.equal(await refreshTrustedRoot({ cacheDir, mirrorUrl, rootPath, timeoutMs: 2000 }), undefined);
  const first = requests;
  assert.ok(first > 0, 'the mirror was asked');
  assert.equal(await refreshTrustedRoot({ cacheDir, mirrorUrl, rootPath, timeoutMs: 2000 }), undefined);
  assert.equal(requests, first, 'a recent failure is not retried');
  // the default (public-good over the unreachable network) still yields a root
  const loaded = await loadTrustedRoot({ cacheDir: tempDir(), timeoutMs: 2000 });
  assert.ok(['tuf', 'embedded'].includes(loaded.origin));
});
