import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { derQuery, randomSignature, tsaApp } from './helpers.js';

// Whatever a client sends, the TSA answers a granted reply or a 4xx `{code, message}`: never a 5xx or a hang.
const post = (app: Awaited<ReturnType<typeof tsaApp>>['app'], contentType: string | undefined, payload: Buffer) =>
  app.inject({
    method: 'POST',
    url: '/api/v1/timestamp',
    headers: contentType ? { 'content-type': contentType } : {},
    payload,
  });

function assertClientError(res: { statusCode: number; body: string }, status?: number) {
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, `status ${res.statusCode}: ${res.body}`);
  if (status) assert.equal(res.statusCode, status, res.body);
  const body = JSON.parse(res.body) as { code: number; message: string };
  assert.equal(body.code, res.statusCode);
  assert.ok(body.message.length > 0 && !body.message.includes('\n'));
}

test('named bad requests: each gets its 4xx and message', async () => {
  const { app } = await tsaApp();
  const sig = randomSignature();
  const cases: Array<[string | undefined, Buffer, number, RegExp]> = [
    ['application/timestamp-query', Buffer.from('garbage'), 400, /not a DER TimeStampReq/],
    ['application/timestamp-query', Buffer.alloc(0), 400, /not a DER TimeStampReq/],
    ['application/timestamp-query', derQuery(sig, { digest: Buffer.alloc(31) }), 400, /incorrect length/],
    [
      'application/timestamp-query',
      derQuery(sig, { hashOid: '1.3.14.3.2.26', digest: Buffer.alloc(20) }),
      400,
      /weak hash/,
    ],
    [
      'application/timestamp-query',
      derQuery(sig, { hashOid: '1.2.840.113549.2.5', digest: Buffer.alloc(16) }),
      400,
      /unsupported hash/,
    ],
    ['application/timestamp-query', derQuery(sig, { policy: '1.2.3' }), 400, /unaccepted policy/],
    ['application/json', Buffer.from('{not json'), 400, /not valid JSON/],
    ['application/json', Buffer.from('[]'), 400, /JSON object/],
    ['application/json', json({ artifactHash: 'AAAA', hashAlgorithm: 'sha256' }), 400, /incorrect length/],
    ['application/json', json({ artifactHash: b64(32), hashAlgorithm: 'sha1' }), 400, /weak hash/],
    ['application/json', json({ artifactHash: b64(32), hashAlgorithm: 'md5' }), 400, /unsupported hash/],
    ['application/json', json({ artifactHash: '***', hashAlgorithm: 'sha256' }), 400, /base64/],
    ['application/json', json({ artifactHash: b64(32), hashAlgorithm: 'sha256', nonce: -1 }), 400, /nonce/],
    ['application/json', json({ artifactHash: b64(32), hashAlgorithm: 'sha256', nonce: 2 ** 60 }), 400, /nonce/],
    ['application/json', json({ artifactHash: b64(32), hashAlgorithm: 'sha256', tsaPolicyOID: 'x' }), 400, /OID/],
    ['application/json', json({ artifactHash: b64(32), hashAlgorithm: 'sha256', certificates: 'yes' }), 400, /true/],
    ['application/json', Buffer.from(JSON.stringify({ pad: 'x'.repeat(2000) })), 413, /too large/],
    ['application/xml', Buffer.from('<x/>'), 400, /unsupported content type/],
    ['text/plain', Buffer.from('hi'), 415, /timestamp-query/],
    [undefined, Buffer.from('hi'), 415, /timestamp-query/],
    ['application/timestamp-query', Buffer.alloc(2 * 1024 * 1024, 0x30), 413, /larger than the limit/],
  ];
  for (const [type, payload, status, message] of cases) {
    const res = await post(app, type, payload);
    assertClientError(res, status);
    assert.match(res.json().message, message, `${type}: ${res.body}`);
  }
  await app.close();
});

test('random and mutated bodies never get a 5xx', async () => {
  const { app } = await tsaApp();
  const valid = derQuery(randomSignature(), { nonce: Buffer.from([1, 2, 3]), certReq: true });
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, v]) => {
          const copy = Buffer.from(valid);
          copy[at % copy.length] = v;
          return copy;
        }),
        fc.nat({ max: valid.length }).map((n) => valid.subarray(0, n)),
      ),
      fc.constantFrom('application/timestamp-query', 'application/json'),
      async (payload, type) => {
        const res = await post(app, type, payload);
        if (res.statusCode === 200) assert.equal(res.headers['content-type'], 'application/timestamp-reply');
        else assertClientError(res);
      },
    ),
    { numRuns: 300, seed: 3161 },
  );
  await fc.assert(
    fc.asyncProperty(fc.jsonValue(), async (value) => {
      const res = await post(app, 'application/json', Buffer.from(JSON.stringify(value) ?? 'null'));
      if (res.statusCode !== 200) assertClientError(res);
    }),
    { numRuns: 200, seed: 3161 },
  );
  await app.close();
});

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
const b64 = (n: number) => Buffer.alloc(n, 7).toString('base64');
