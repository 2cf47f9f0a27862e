import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { RekorClient, type FetchLike } from '../../src/rekor-client/index.js';
import { SignetError } from '../../src/errors.js';

const UUID = '108e9186e8c5677a' + 'ab'.repeat(32);
const ENTRY = {
  [UUID]: {
    body: Buffer.from('{"apiVersion":"0.0.1","kind":"hashedrekord","spec":{}}').toString('base64'),
    integratedTime: 1700000000,
    logID: 'c0'.repeat(32),
    logIndex: 7,
    verification: {
      signedEntryTimestamp: 'MEUCIQ==',
      inclusionProof: {
        logIndex: 7,
        rootHash: 'aa'.repeat(32),
        treeSize: 8,
        hashes: ['bb'.repeat(32)],
        checkpoint: 'x\n',
      },
    },
  },
};

type Handler = (method: string, url: URL, body: string) => Response | Promise<Response>;
const json = (status: number, value: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json', ...headers } });

function fake(handler: Handler): { fetch: FetchLike; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    fetch: async (input, init) => {
      const url = new URL(input);
      calls.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search}`);
      return handler(init?.method ?? 'GET', url, String(init?.body ?? ''));
    },
  };
}

async function rejects(p: Promise<unknown>, code: string, message: RegExp) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof SignetError, String(e));
    assert.equal(e.code, code);
    assert.match(e.message, message);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

test('createEntry: 201 is a created entry', async () => {
  const f = fake((method, url, body) => {
    assert.equal(method, 'POST');
    assert.equal(url.pathname, '/api/v1/log/entries');
    assert.equal(JSON.parse(body).kind, 'hashedrekord');
    return json(201, ENTRY, { location: `/api/v1/log/entries/${UUID}` });
  });
  const c = new RekorClient('http://rekor.test/', { fetch: f.fetch });
  const r = await c.createEntry({ kind: 'hashedrekord', apiVersion: '0.0.1', spec: {} });
  assert.equal(r.created, true);
  assert.equal(r.uuid, UUID);
  assert.equal(r.entry.logIndex, 7);
});

test('createEntry: 409 fetches the existing entry from Location', async () => {
  const f = fake((method, url) => {
    if (method === 'POST')
      return json(
        409,
        { code: 409, message: 'an equivalent entry already exists' },
        { location: `/api/v1/log/entries/${UUID}` },
      );
    assert.equal(url.pathname, `/api/v1/log/entries/${UUID}`);
    return json(200, ENTRY);
  });
  const r = await new RekorClient('http://rekor.test', { fetch: f.fetch }).createEntry({
    kind: 'x',
    apiVersion: '1',
    spec: {},
  });
  assert.equal(r.created, false);
  assert.equal(r.uuid, UUID);
  assert.deepEqual(f.calls, ['POST /api/v1/log/entries', `GET /api/v1/log/entries/${UUID}`]);
});

test("errors carry the server's message on one line", async () => {
  const f = fake(() => json(400, { code: 400, message: 'error processing entry: invalid signature' }));
  const c = new RekorClient('http://rekor.test', { fetch: f.fetch });
  await rejects(
    c.createEntry({ kind: 'x', apiVersion: '1', spec: {} }),
    'invalid-input',
    /^rekor rejected the entry \(400\): error processing entry: invalid signature$/,
  );
  const notFound = new RekorClient('http://rekor.test', { fetch: fake(() => new Response('', { status: 404 })).fetch });
  await rejects(notFound.getEntryByIndex(5), 'not-found', /index 5 \(404\): not found/);
  const html = new RekorClient('http://rekor.test', {
    fetch: fake(() => new Response('<html>\n<b>oops</b>', { status: 200 })).fetch,
  });
  await rejects(html.getLogInfo(), 'internal', /not JSON/);
  const bad = new RekorClient('http://rekor.test', { fetch: fake(() => json(200, { [UUID]: { body: 5 } })).fetch });
  await rejects(bad.getEntryByUuid(UUID), 'internal', /malformed answer from the log: body/);
});

test('a wrong entry in the answer is rejected', async () => {
  const other = { ['ff'.repeat(32)]: ENTRY[UUID] };
  const c = new RekorClient('http://rekor.test', { fetch: fake(() => json(200, other)).fetch });
  await rejects(c.getEntryByUuid(UUID), 'verification-failed', /different entry/);
});

test('input is checked before any request', async () => {
  const f = fake(() => json(200, {}));
  const c = new RekorClient('http://rekor.test', { fetch: f.fetch });
  await rejects(c.getEntryByUuid('nothex'), 'invalid-input', /64 or 80 hex/);
  await rejects(c.getEntryByIndex(-1), 'invalid-input', /non-negative/);
  assert.deepEqual(f.calls, []);
  assert.throws(() => new RekorClient('ftp://x'), /http or https/);
  assert.throws(() => new RekorClient('not a url'), /not a valid rekor url/);
});

test('search, retrieve, loginfo, proof and public key use the openapi paths', async () => {
  const f = fake((method, url, body) => {
    const path = url.pathname + url.search;
    if (path === '/api/v1/index/retrieve') return json(200, [UUID]);
    if (path === '/api/v1/log/entries/retrieve') return json(200, JSON.parse(body).logIndexes ? [ENTRY] : []);
    if (path === '/api/v1/log')
      return json(200, { rootHash: 'aa'.repeat(32), treeSize: 8, signedTreeHead: 'x', treeID: '42' });
    if (path === '/api/v1/log/proof?firstSize=2&lastSize=8&treeID=42')
      return json(200, { rootHash: 'aa'.repeat(32), hashes: [] });
    if (path === '/api/v1/log/publicKey')
      return new Response('-----BEGIN PUBLIC KEY-----\nMFk=\n-----END PUBLIC KEY-----\n');
    return json(404, { code: 404, message: `no ${method} ${path}` });
  });
  const c = new RekorClient('http://rekor.test', { fetch: f.fetch });
  assert.deepEqual(await c.searchIndex({ hash: 'sha256:' + 'ab'.repeat(32) }), [UUID]);
  assert.equal((await c.retrieveEntries({ logIndexes: [7] }))[0]!.uuid, UUID);
  assert.deepEqual(await c.retrieveEntries({ entryUUIDs: [UUID] }), []);
  assert.equal((await c.getLogInfo()).treeID, '42');
  assert.deepEqual((await c.getConsistencyProof(2, 8, '42')).hashes, []);
  assert.match(await c.getPublicKey(), /BEGIN PUBLIC KEY/);
});

test('a disabled search index is reported as such', async () => {
  const c = new RekorClient('http://rekor.test', {
    fetch: fake(() => json(501, { code: 501, message: 'not enabled' })).fetch,
  });
  await rejects(c.searchIndex({ email: 'a@b.c' }), 'unsupported', /search index is not enabled/);
});

test('timeouts and unreachable servers are one-line errors', async (t) => {
  const server: Server = createServer(() => {
    /* never answers */
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  server.unref();
  const port = (server.address() as { port: number }).port;
  await rejects(
    new RekorClient(`http://127.0.0.1:${port}`, { timeoutMs: 200 }).getLogInfo(),
    'pushback',
    /no answer from .* within 200 ms/,
  );
  server.closeAllConnections();
  const closed = await new Promise<number>((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => r(p));
    });
  });
  await rejects(new RekorClient(`http://127.0.0.1:${closed}`).getLogInfo(), 'pushback', /cannot reach/);
});

test('any answer from a server ends in an entry or a SignetError, never a crash', async () => {
  const { default: fc } = await import('fast-check');
  const entryLike = fc.record({
    body: fc.oneof(fc.base64String(), fc.anything()),
    integratedTime: fc.oneof(fc.nat(), fc.anything()),
    logID: fc.oneof(fc.constant('c0'.repeat(32)), fc.string()),
    logIndex: fc.oneof(fc.integer(), fc.anything()),
    verification: fc.anything(),
  });
  const answer = fc.oneof(fc.anything(), fc.dictionary(fc.constantFrom(UUID, 'x', 'ab'.repeat(32)), entryLike));
  await fc.assert(
    fc.asyncProperty(answer, fc.constantFrom(200, 201, 400, 404, 409, 500), async (body, status) => {
      const c = new RekorClient('http://rekor.test', { fetch: fake(() => json(status, body)).fetch });
      for (const call of [
        () => c.getEntryByUuid(UUID),
        () => c.getLogInfo(),
        () => c.searchIndex({ email: 'a@b.c' }),
      ]) {
        try {
          await call();
        } catch (e) {
          if (!(e instanceof SignetError)) throw e;
          assert.ok(!e.message.includes('\n'));
        }
      }
    }),
    { numRuns: 300 },
  );
});
