// rekor-cli's root flags on `signet log`: --retry (retryablehttp: connection failures, 429 and 5xx are retried,
// 3 times by default) in front of a real `signet up`, through a proxy that fails the first requests; and
// --store_tree_state accepted by every command, as rekor-cli's persistent flag.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runSignetAsync, tempDir } from '../helpers/process.js';
import { startUp, type UpProcess } from '../helpers/up.js';

let up: UpProcess;
let dir: string;
let proxy: Server;
let proxyUrl = '';
let failNext = 0;
let seen = 0;

before(async () => {
  dir = tempDir('signet-retry-');
  up = await startUp(['--port', '0', '--data-dir', join(dir, 'data')]);
  proxy = createServer((req, res) => {
    seen++;
    if (failNext > 0) {
      failNext--;
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"code":503,"message":"try again"}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const r = await fetch(up.url + req.url, {
        method: req.method!,
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        ...(body.length ? { body } : {}),
      });
      res.writeHead(r.status, { 'content-type': r.headers.get('content-type') ?? 'application/json' });
      res.end(Buffer.from(await r.arrayBuffer()));
    });
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as { port: number }).port}`;
});
after(async () => {
  await new Promise((r) => proxy?.close(r));
  await up?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const log = (args: string[]) =>
  runSignetAsync(['log', ...args], { cwd: dir, env: { SIGNET_LOG_LEVEL: 'warn', HOME: dir } });

test('--retry: 5xx answers are retried (3 times by default), --retry 0 gives up at once with one line', async () => {
  failNext = 2;
  seen = 0;
  const ok = await log(['loginfo', '--rekor_server', proxyUrl, '--store_tree_state=false']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /Tree Size/);
  assert.ok(seen >= 3, `two failures then success (${seen} requests)`);

  failNext = 1;
  const none = await log(['loginfo', '--rekor_server', proxyUrl, '--retry', '0']);
  assert.notEqual(none.status, 0);
  assert.match(none.stderr.trim(), /^signet: error: .*503/);
  assert.equal(none.stderr.trim().split('\n').length, 1, none.stderr);

  failNext = 3;
  const three = await log(['loginfo', '--rekor_server', proxyUrl, '--retry', '3', '--store_tree_state=false']);
  assert.equal(three.status, 0, three.stderr);

  failNext = 10;
  const exhausted = await log(['get', '--rekor_server', proxyUrl, '--retry', '2', '--log-index', '0']);
  assert.notEqual(exhausted.status, 0);
  assert.match(exhausted.stderr, /503/);
  failNext = 0;
});

test('--retry: connection failures are retried, then one line says how many attempts', async () => {
  const r = await log(['loginfo', '--rekor_server', 'http://127.0.0.1:9', '--retry', '2']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr.trim(), /^signet: error: .*giving up after 3 attempt\(s\)/);
  const bad = await log(['loginfo', '--rekor_server', up.url, '--retry', 'many']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /^signet: error: --retry: not a number of retries: many/);
});

test('--store_tree_state is accepted by every log command, as rekor-cli persistent flag', async () => {
  const r = await log(['get', '--rekor_server', up.url, '--log-index', '0', '--store_tree_state=false']);
  // no entry yet: a not-found error, not an unknown option
  assert.doesNotMatch(r.stderr, /unknown option/);
});
