import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseAnyRequest, parseDerRequest } from '../../src/tsa/request.js';
import { derQuery } from './helpers.js';

// parseDerRequest reads the common request shape with a direct DER walk and hands anything else to the general
// (asn1-schema) parser: on any input the two must agree, a request or the same error.
function outcome(parse: (der: Buffer) => unknown, der: Buffer): unknown {
  try {
    return { ok: parse(der) };
  } catch (e) {
    return { error: (e as Error).message, code: (e as { code?: string }).code };
  }
}

const requests = fc.record({
  hash: fc.constantFrom('sha256', 'sha384', 'sha512') as fc.Arbitrary<'sha256' | 'sha384' | 'sha512'>,
  message: fc.uint8Array({ minLength: 1, maxLength: 32 }),
  nonce: fc.option(fc.uint8Array({ minLength: 1, maxLength: 20 }), { nil: undefined }),
  certReq: fc.boolean(),
  policy: fc.option(fc.constantFrom('1.3.6.1.4.1.57264.2', '1.2.3.4'), { nil: undefined }),
});

type Req = typeof requests extends fc.Arbitrary<infer T> ? T : never;

const query = (r: Req) =>
  derQuery(Buffer.from(r.message), {
    hash: r.hash,
    certReq: r.certReq,
    policy: r.policy,
    nonce: r.nonce ? Buffer.from(r.nonce) : undefined,
  });

test('the fast DER path and the general parser agree on well-formed requests', () => {
  fc.assert(
    fc.property(requests, (r) => {
      const der = query(r);
      assert.deepEqual(outcome(parseDerRequest, der), outcome(parseAnyRequest, der));
      const parsed = parseDerRequest(der);
      assert.equal(parsed.hashAlgorithm, r.hash);
      assert.equal(parsed.certReq, r.certReq);
    }),
    { numRuns: 300 },
  );
});

test('the fast DER path and the general parser agree on every one-byte change, truncation and extension', () => {
  fc.assert(
    fc.property(requests, fc.nat(), fc.integer({ min: 0, max: 255 }), (r, at, byte) => {
      const der = query(r);
      const changed = Buffer.from(der);
      changed[at % der.length] = byte;
      for (const input of [changed, der.subarray(0, at % der.length), Buffer.concat([der, Buffer.from([byte])])]) {
        assert.deepEqual(outcome(parseDerRequest, input), outcome(parseAnyRequest, input), input.toString('hex'));
      }
    }),
    { numRuns: 2000 },
  );
});
