import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../src/encoding/canonical-json.js';
import { runSignetAsync, tempDir, type CliResult } from '../helpers/process.js';

/**
 * `signet log` against a scripted server that answers with what a broken or hostile log might send: rejected
 * uploads, non-JSON, tampered bodies, forged SETs and checkpoints. Each must end in one error line and exit 1.
 */
const logKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const logId = createHash('sha256')
  .update(logKey.publicKey.export({ type: 'spki', format: 'der' }))
  .digest();
const treeId = '1234';
let server: Server;
let url: string;
let dir: string;

const sha = (...parts: Buffer[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

function note(text: string, key: KeyObject, id: Buffer): string {
  const sig = Buffer.concat([id.subarray(0, 4), sign('sha256', Buffer.from(text), key)]);
  return `${text}\n\u2014 signet.test ${sig.toString('base64')}\n`;
}

/** A one-leaf log holding `body`, with what the entry's fields say, tampered as asked. */
function entry(tamper: 'none' | 'body' | 'set' | 'checkpoint' | 'root') {
  const body = Buffer.from('{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}');
  const leaf = sha(Buffer.from([0]), body);
  const uuid = (BigInt(treeId).toString(16).padStart(16, '0') + leaf.toString('hex')).toLowerCase();
  const b64 = body.toString('base64');
  const time = Math.floor(Date.now() / 1000) - 10;
  const set = sign(
    'sha256',
    Buffer.from(canonicalJson({ body: b64, integratedTime: time, logID: logId.toString('hex'), logIndex: 0 })),
    tamper === 'set' ? otherKey.privateKey : logKey.privateKey,
  );
  const root = tamper === 'root' ? sha(Buffer.from('other')) : leaf;
  const signer = tamper === 'checkpoint' ? otherKey.privateKey : logKey.privateKey;
  const checkpoint = note(`signet.test - ${treeId}\n1\n${root.toString('base64')}\n`, signer, logId);
  return {
    [uuid]: {
      body:
        tamper === 'body'
          ? Buffer.from('{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{"x":1}}').toString('base64')
          : b64,
      integratedTime: time,
      logID: logId.toString('hex'),
      logIndex: 0,
      verification: {
        signedEntryTimestamp: set.toString('base64'),
        inclusionProof: { logIndex: 0, treeSize: 1, rootHash: leaf.toString('hex'), hashes: [], checkpoint },
      },
    },
  };
}

const TAMPER = ['none', 'body', 'set', 'checkpoint', 'root'] as const;

/**
 * A log that grows from one leaf to two between loginfo calls; the `fork` one rewrites its first leaf on the way
 * (a split view), so its consistency proof cannot hold.
 */
const calls: Record<string, number> = { grow: 0, fork: 0 };
const leaf = (s: string) => sha(Buffer.from([0]), Buffer.from(s));
function growingLog(name: string, path: string, u: URL): [number, unknown, string?] {
  const pem = logKey.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  if (path === '/api/v1/log/publicKey') return [200, pem, 'application/x-pem-file'];
  const first = name === 'fork' && calls[name]! > 0 ? leaf('rewritten') : leaf('a');
  if (path === '/api/v1/log/proof') {
    assert.equal(u.searchParams.get('firstSize'), '1');
    assert.equal(u.searchParams.get('lastSize'), '2');
    return [
      200,
      { rootHash: sha(Buffer.from([1]), first, leaf('b')).toString('hex'), hashes: [leaf('b').toString('hex')] },
    ];
  }
  if (path !== '/api/v1/log') return [404, ''];
  const size = calls[name]! === 0 ? 1 : 2;
  calls[name]!++;
  const root = size === 1 ? first : sha(Buffer.from([1]), first, leaf('b'));
  const sth = note(`signet.test - ${treeId}\n${size}\n${root.toString('base64')}\n`, logKey.privateKey, logId);
  return [200, { rootHash: root.toString('hex'), treeSize: size, signedTreeHead: sth, treeID: treeId }];
}

before(async () => {
  dir = tempDir('signet-log-errors-');
  server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const send = (status: number, body: unknown, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const growing = /^\/(grow|fork)(\/.*)$/.exec(u.pathname);
    if (growing) return send(...growingLog(growing[1]!, growing[2]!, u));
    if (u.pathname === '/api/v1/log/publicKey')
      return send(200, logKey.publicKey.export({ type: 'spki', format: 'pem' }), 'application/x-pem-file');
    if (u.pathname === '/api/v1/log/entries' && req.method === 'POST') {
      return send(400, { code: 400, message: 'error processing entry: verifying signature: invalid signature' });
    }
    if (u.pathname === '/api/v1/log/entries') {
      const i = Number(u.searchParams.get('logIndex'));
      if (i < TAMPER.length) return send(200, entry(TAMPER[i]!));
      if (i === 10) return send(200, '<html>gateway</html>', 'text/html');
      return send(404, '');
    }
    if (u.pathname === '/api/v1/index/retrieve')
      return send(501, { code: 501, message: 'SearchIndex API not enabled in this Rekor instance' });
    if (u.pathname === '/api/v1/log')
      return send(500, { code: 500, message: 'unexpected error communicating with transparency log' });
    send(404, '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

after(async () => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const log = (...args: string[]) => runSignetAsync(['log', ...args, '--rekor-url', url], { env: { HOME: dir } });

function failsWith(r: CliResult, message: RegExp): void {
  assert.equal(r.status, 1, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0]!, /^signet: error: /);
  assert.match(lines[0]!, message);
  assert.equal(r.stdout, '');
}

test('a well-formed entry verifies', async () => {
  const r = await log('get', '--log-index', '0');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^Index: 0$/m);
});

test('tampered answers fail verification with the failing check named', async () => {
  failsWith(await log('get', '--log-index', '1'), /entry body does not hash to its uuid/);
  failsWith(await log('get', '--log-index', '2'), /signed entry timestamp is not a valid signature/);
  failsWith(await log('get', '--log-index', '3'), /checkpoint is not signed by the log's key/);
  failsWith(await log('verify', '--log-index', '4'), /checkpoint/);
});

test("server errors carry the log's message", async () => {
  const art = join(dir, 'a.txt');
  writeFileSync(art, 'a');
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(join(dir, 'k.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(join(dir, 'a.sig'), sign('sha256', Buffer.from('a'), privateKey));
  failsWith(
    await log(
      'upload',
      '--pki-format=x509',
      '--artifact',
      art,
      '--signature',
      join(dir, 'a.sig'),
      '--public-key',
      join(dir, 'k.pub'),
    ),
    /^signet: error: rekor rejected the entry \(400\): error processing entry: verifying signature: invalid signature$/,
  );
  failsWith(await log('get', '--log-index', '10'), /not JSON/);
  failsWith(await log('get', '--log-index', '11'), /\(404\): not found/);
  failsWith(await log('search', '--email', 'a@example.com'), /search index is not enabled/);
  failsWith(await log('loginfo'), /\(500\): unexpected error communicating with transparency log/);
});

test('loginfo checks consistency with the tree head it saw last', async () => {
  const home = join(dir, 'grow-home');
  const run = (prefix: string) =>
    runSignetAsync(['log', 'loginfo', '--rekor-url', `${url}/${prefix}`], { env: { HOME: home } });
  for (const size of [1, 2, 2]) {
    const r = await run('grow');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Active Tree Size: +${size}$`, 'm'));
  }
  assert.equal((await run('fork')).status, 0, 'first sight of the fork log');
  const forked = await run('fork');
  assert.equal(forked.status, 1);
  assert.match(forked.stderr, /WARNING: the log is NOT consistent/);
  assert.match(forked.stderr, /signet: error: tree of size 2 is not consistent with the earlier tree of size 1/);
});
