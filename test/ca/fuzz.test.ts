import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { startTestCa, startTestIssuer, type TestCa, type TestIssuer } from './fixtures.js';

let issuer: TestIssuer;
let ca: TestCa;

before(async () => {
  issuer = await startTestIssuer();
  ca = await startTestCa({ OIDCIssuers: { [issuer.url]: { Type: 'email' } } });
});
after(async () => {
  await ca.close();
  await issuer.close();
});

const b64url = (s: string) => Buffer.from(s).toString('base64url');

test('fuzz: arbitrary JSON bodies to both signing endpoints get a 4xx with a message, never a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.jsonValue({ maxDepth: 4 }),
      fc.constantFrom('/api/v2/signingCert', '/api/v1/signingCert'),
      async (body, url) => {
        const res = await ca.app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json' },
          payload: JSON.stringify(body),
        });
        assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${res.statusCode} ${res.body}`);
        const json = res.json();
        assert.equal(typeof json.message, 'string');
        assert.deepEqual(json.details, []);
      },
    ),
    { numRuns: 150 },
  );
});

test('fuzz: mangled tokens (headers, payloads, signatures) are refused with 400', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.jsonValue({ maxDepth: 3 }),
      fc.jsonValue({ maxDepth: 3 }),
      fc.string(),
      async (header, payload, sig) => {
        const token = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}.${b64url(sig)}`;
        const res = await ca.app.inject({
          method: 'POST',
          url: '/api/v2/signingCert',
          payload: {
            credentials: { oidcIdentityToken: token },
            publicKeyRequest: { publicKey: { content: 'x' }, proofOfPossession: '' },
          },
        });
        assert.equal(res.statusCode, 400, res.body);
        assert.equal(res.json().code, 3);
      },
    ),
    { numRuns: 150 },
  );
});

test('fuzz: a trusted issuer with mangled claims never yields a certificate', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        email: fc.oneof(fc.string(), fc.integer(), fc.constant(undefined)),
        email_verified: fc.oneof(fc.boolean(), fc.string()),
        sub: fc.oneof(fc.string(), fc.integer()),
      }),
      async (claims) => {
        const token = await issuer.token(claims as Record<string, unknown>);
        const res = await ca.app.inject({
          method: 'POST',
          url: '/api/v2/signingCert',
          payload: {
            credentials: { oidcIdentityToken: token },
            publicKeyRequest: { publicKey: { content: 'not a key' }, proofOfPossession: 'AA==' },
          },
        });
        assert.equal(res.statusCode, 400, res.body);
      },
    ),
    { numRuns: 60 },
  );
});
