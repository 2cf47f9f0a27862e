import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeFetch } from '../../src/http-client/index.js';

/** A loopback server (port 0) answering by path; returns its base URL. */
async function serve(t: { after: (fn: () => void) => void }, server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('nodeFetch: status, headers, bodies in and out, as fetch has them', async (t) => {
  const url = await serve(
    t,
    createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString();
        if (req.url === '/echo') {
          res.setHeader('Content-Type', 'application/json');
          res.setHeader('Set-Cookie', ['a=1', 'b=2']);
          res.end(JSON.stringify({ method: req.method, type: req.headers['content-type'] ?? null, body }));
        } else if (req.url === '/see-other') {
          res.writeHead(303, { location: '/echo' }).end();
        } else if (req.url === '/moved') {
          res.writeHead(308, { location: `${url}/echo` }).end();
        } else if (req.url === '/loop') {
          res.writeHead(302, { location: '/loop' }).end();
        } else if (req.url === '/bytes') {
          res.end(Buffer.from([0, 1, 2, 255]));
        } else {
          res.writeHead(404).end('no such thing');
        }
      });
    }),
  );
  const post = { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'hello' };
  const res = await nodeFetch(`${url}/echo`, post);
  assert.equal(res.status, 200);
  assert.equal(res.ok, true);
  assert.equal(res.headers.get('content-type'), 'application/json');
  assert.equal(res.headers.get('Set-Cookie'), 'a=1, b=2');
  assert.equal(res.headers.get('x-none'), null);
  assert.deepEqual(await res.json(), { method: 'POST', type: 'text/plain', body: 'hello' });
  // 303 turns a POST into a GET without a body; 308 keeps both.
  assert.deepEqual(await (await nodeFetch(`${url}/see-other`, post)).json(), { method: 'GET', type: null, body: '' });
  assert.deepEqual(await (await nodeFetch(`${url}/moved`, post)).json(), {
    method: 'POST',
    type: 'text/plain',
    body: 'hello',
  });
  assert.deepEqual(Buffer.from(await (await nodeFetch(`${url}/bytes`)).arrayBuffer()), Buffer.from([0, 1, 2, 255]));
  const missing = await nodeFetch(`${url}/nope`);
  assert.equal(missing.status, 404);
  assert.equal(missing.ok, false);
  assert.equal(await missing.text(), 'no such thing');
  await assert.rejects(
    nodeFetch(`${url}/loop`),
    (e: Error) => e instanceof TypeError && /redirect/.test(String(e.cause)),
  );
});

test('nodeFetch: a refused connection and a timeout reject as fetch rejects', async (t) => {
  const url = await serve(
    t,
    createServer(() => {
      // never answers
    }),
  );
  await assert.rejects(nodeFetch(`${url}/`, { signal: AbortSignal.timeout(50) }), { name: 'TimeoutError' });
  const closed = createServer();
  const gone = await new Promise<string>((r) =>
    closed.listen(0, '127.0.0.1', () => {
      const port = (closed.address() as AddressInfo).port;
      closed.close(() => r(`http://127.0.0.1:${port}/`));
    }),
  );
  await assert.rejects(nodeFetch(gone), (e: Error) => {
    assert.equal(e.name, 'TypeError');
    assert.equal(e.message, 'fetch failed');
    assert.match((e.cause as Error).message, /ECONNREFUSED/);
    return true;
  });
});
