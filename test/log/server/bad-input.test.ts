import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { logApp, type TestApp } from './app.js';
import { hashedRekordSigner } from './fixtures.js';

type Method = 'GET' | 'POST';

describe('Rekor v1 API: bad input', () => {
  let t: TestApp;
  let size = 0;
  const signer = hashedRekordSigner();

  before(async () => {
    t = await logApp({ maxBodyBytes: 64 * 1024 });
    const r = await t.app.inject({ method: 'POST', url: '/api/v1/log/entries', payload: signer.entry() });
    assert.equal(r.statusCode, 201);
    size = 1;
  });
  after(async () => t.close());

  async function send(method: Method, url: string, payload?: string, contentType = 'application/json') {
    const r = await t.app.inject({
      method,
      url,
      payload,
      headers: payload === undefined ? {} : { 'content-type': contentType },
    });
    return r;
  }

  /** A rejection: 4xx, JSON `{code, message}` (404s may be empty), and the tree did not change. */
  async function assertRejected(r: Awaited<ReturnType<typeof send>>, status?: number) {
    assert.ok(r.statusCode >= 400 && r.statusCode < 500, `status ${r.statusCode}: ${r.body}`);
    if (status) assert.equal(r.statusCode, status, r.body);
    const body = r.json() as { code: number; message: string };
    assert.equal(body.code, r.statusCode);
    assert.equal(typeof body.message, 'string');
    assert.ok(body.message.length > 0 && !body.message.includes('\n'));
    assert.equal(t.service.log.info().head.size, size);
  }

  const good = () => signer.entry();
  const cases: Array<[string, Method, string, string | undefined, number, string?]> = [
    ['malformed JSON', 'POST', '/api/v1/log/entries', '{"kind":', 400],
    ['empty body', 'POST', '/api/v1/log/entries', '', 400],
    ['JSON array', 'POST', '/api/v1/log/entries', '[]', 400],
    ['JSON string', 'POST', '/api/v1/log/entries', '"x"', 400],
    ['unknown kind', 'POST', '/api/v1/log/entries', '{"kind":"nope","apiVersion":"0.0.1","spec":{}}', 422],
    ['no kind', 'POST', '/api/v1/log/entries', '{"apiVersion":"0.0.1","spec":{}}', 422],
    ['bad apiVersion', 'POST', '/api/v1/log/entries', '{"kind":"hashedrekord","apiVersion":"v1","spec":{}}', 422],
    ['no spec', 'POST', '/api/v1/log/entries', '{"kind":"hashedrekord","apiVersion":"0.0.1"}', 422],
    [
      'unsupported version',
      'POST',
      '/api/v1/log/entries',
      '{"kind":"hashedrekord","apiVersion":"9.9.9","spec":{}}',
      400,
    ],
    ['bad signature', 'POST', '/api/v1/log/entries', JSON.stringify(tamper(good())), 400],
    // fast-check found it: a field name is quoted in the message, so a newline in it must not split the line
    ['unknown field named with a newline', 'POST', '/api/v1/log/entries', withField(good(), 'c\ntent'), 400],
    ['wrong types', 'POST', '/api/v1/log/entries', '{"kind":1,"apiVersion":[],"spec":"x"}', 400],
    ['too large', 'POST', '/api/v1/log/entries', JSON.stringify({ pad: 'x'.repeat(70 * 1024) }), 413],
    ['unsupported content type', 'POST', '/api/v1/log/entries', '<x/>', 415, 'application/xml'],
    ['text body', 'POST', '/api/v1/log/entries', 'hello', 415, 'text/plain'],
    ['logIndex missing', 'GET', '/api/v1/log/entries', undefined, 422],
    ['logIndex negative', 'GET', '/api/v1/log/entries?logIndex=-1', undefined, 422],
    ['logIndex not a number', 'GET', '/api/v1/log/entries?logIndex=abc', undefined, 422],
    ['logIndex huge', 'GET', '/api/v1/log/entries?logIndex=99999999999999999999', undefined, 422],
    ['logIndex twice', 'GET', '/api/v1/log/entries?logIndex=1&logIndex=2', undefined, 422],
    ['uuid short', 'GET', '/api/v1/log/entries/abcd', undefined, 422],
    ['uuid not hex', 'GET', `/api/v1/log/entries/${'zz'.repeat(32)}`, undefined, 422],
    ['uuid zero tree', 'GET', `/api/v1/log/entries/${'0'.repeat(16)}${'ab'.repeat(32)}`, undefined, 400],
    ['retrieve > 10', 'POST', '/api/v1/log/entries/retrieve', JSON.stringify({ logIndexes: Array(11).fill(0) }), 422],
    [
      'retrieve > 10 in total',
      'POST',
      '/api/v1/log/entries/retrieve',
      JSON.stringify({ logIndexes: Array(6).fill(0), entryUUIDs: Array(5).fill('ab'.repeat(32)) }),
      422,
    ],
    ['retrieve bad uuid', 'POST', '/api/v1/log/entries/retrieve', '{"entryUUIDs":["xyz"]}', 422],
    ['retrieve bad index', 'POST', '/api/v1/log/entries/retrieve', '{"logIndexes":[-1]}', 422],
    ['retrieve not object', 'POST', '/api/v1/log/entries/retrieve', '[1]', 422],
    ['retrieve bad entry', 'POST', '/api/v1/log/entries/retrieve', '{"entries":[{"kind":"x"}]}', 422],
    ['proof without lastSize', 'GET', '/api/v1/log/proof', undefined, 422],
    ['proof first > last', 'GET', '/api/v1/log/proof?firstSize=2&lastSize=1', undefined, 400],
    ['proof beyond the tree', 'GET', '/api/v1/log/proof?firstSize=1&lastSize=999', undefined, 400],
    ['proof firstSize 0', 'GET', '/api/v1/log/proof?firstSize=0&lastSize=1', undefined, 422],
    ['proof unknown tree', 'GET', '/api/v1/log/proof?lastSize=1&treeID=12', undefined, 400],
    ['publicKey unknown tree', 'GET', '/api/v1/log/publicKey?treeID=abc', undefined, 400],
    ['search bad hash', 'POST', '/api/v1/index/retrieve', '{"hash":"xyz"}', 422],
    [
      'search bad operator',
      'POST',
      '/api/v1/index/retrieve',
      '{"hash":"' + 'a'.repeat(64) + '","operator":"xor"}',
      422,
    ],
    ['search bad email', 'POST', '/api/v1/index/retrieve', '{"email":"not-an-email"}', 422],
    ['search bad key format', 'POST', '/api/v1/index/retrieve', '{"publicKey":{"format":"gpg","content":"AA=="}}', 422],
    ['search bad key', 'POST', '/api/v1/index/retrieve', '{"publicKey":{"format":"x509","content":"AAAA"}}', 400],
    ['search key not base64', 'POST', '/api/v1/index/retrieve', '{"publicKey":{"format":"x509","content":"%%"}}', 400],
  ];
  for (const [name, method, url, payload, status, ct] of cases) {
    it(`${name}: ${status}`, async () => assertRejected(await send(method, url, payload, ct), status));
  }

  it('uploads are parsed off the event loop with the checks and messages of every other JSON route', async () => {
    const deep = '['.repeat(65) + ']'.repeat(65);
    const bodies = [
      '{"kind":',
      '',
      ' ',
      deep,
      '{"__proto__":{"x":1}}',
      '{"\\u005f_proto__":{}}',
      '{"a":[{"constructor":{"prototype":{"x":1}}}]}',
      '\ufeff{"kind":',
      '\ufeff',
    ];
    for (const body of bodies) {
      const upload = await send('POST', '/api/v1/log/entries', body);
      const other = await send('POST', '/api/v1/log/entries/retrieve', body);
      assert.equal(upload.statusCode, 400, `${JSON.stringify(body)}: ${upload.body}`);
      assert.deepEqual(upload.json(), other.json(), JSON.stringify(body));
      await assertRejected(upload, 400);
    }
    // A leading BOM is dropped, as fastify's parser drops it: the entry is admitted.
    const r = await send('POST', '/api/v1/log/entries', `\ufeff${JSON.stringify(good())}`);
    assert.equal(r.statusCode, 201, r.body);
    size++;
    // A `constructor` key that is no prototype is fine for both, so the entry type refuses it (an unknown field).
    const ctor = await send(
      'POST',
      '/api/v1/log/entries',
      '{"kind":"hashedrekord","apiVersion":"0.0.1","spec":{"constructor":1}}',
    );
    await assertRejected(ctor, 400);
    assert.match(ctor.json().message, /constructor/);
  });

  it('fuzz: arbitrary JSON on every POST endpoint is rejected cleanly and changes nothing', async () => {
    const urls = ['/api/v1/log/entries', '/api/v1/log/entries/retrieve', '/api/v1/index/retrieve'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...urls), fc.jsonValue(), async (url, value) => {
        const r = await send('POST', url, JSON.stringify(value));
        if (r.statusCode === 200) return; // a query that happened to be valid (e.g. {} retrieve)
        await assertRejected(r);
      }),
      { numRuns: 300 },
    );
  });

  it('fuzz: mutated valid entries never crash and never log an unverified entry', async () => {
    const base = JSON.stringify(good());
    await fc.assert(
      fc.asyncProperty(fc.nat(base.length - 1), fc.string({ maxLength: 3 }), async (at, insert) => {
        const mutated = base.slice(0, at) + insert + base.slice(at + 1);
        const r = await send('POST', '/api/v1/log/entries', mutated);
        if (r.statusCode === 201) {
          size++; // a mutation inside an unsigned field can still verify (e.g. a key's base64 line break)
          return;
        }
        await assertRejected(r);
      }),
      { numRuns: 300 },
    );
  });

  it('fuzz: arbitrary query strings and paths on the GET endpoints answer 2xx/4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 100 }),
        fc.constantFrom('entries?logIndex=', 'entries/', 'proof?lastSize=', 'publicKey?treeID='),
        async (s, prefix) => {
          const r = await send('GET', `/api/v1/log/${prefix}${encodeURIComponent(s)}`);
          assert.ok(r.statusCode < 500, `${r.statusCode} ${r.body}`);
          if (r.statusCode >= 400) await assertRejected(r);
        },
      ),
      { numRuns: 300 },
    );
  });
});

function tamper(entry: ReturnType<ReturnType<typeof hashedRekordSigner>['entry']>) {
  const value = entry.spec.data.hash.value;
  entry.spec.data.hash.value = (value[0] === 'a' ? 'b' : 'a') + value.slice(1);
  return entry;
}

/** A proposed entry with one more field, named `name`, in its spec. */
function withField(entry: ReturnType<ReturnType<typeof hashedRekordSigner>['entry']>, name: string): string {
  return JSON.stringify({ ...entry, spec: { ...entry.spec, [name]: 1 } });
}
