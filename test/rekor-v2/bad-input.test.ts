import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { dsseRequest, hashedRekordRequest, v2App, type V2App } from './fixtures.js';

type Json = Record<string, unknown>;

const SIG = ['hashedRekordRequestV002', 'signature'];
const VERIFIER = [...SIG, 'verifier'];

describe('Rekor v2 API: bad input gets a 4xx JSON error, never a 5xx, and the tree does not change', () => {
  let t: V2App;
  before(async () => {
    t = await v2App({ maxBodyBytes: 256 * 1024 });
  });
  after(async () => t.close());

  async function rejected(payload: string, contentType = 'application/json', url = '/api/v2/log/entries') {
    const r = await t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType } });
    assert.ok(r.statusCode >= 400 && r.statusCode < 500, `status ${r.statusCode} for ${payload.slice(0, 200)}`);
    const body = r.json() as { code: number; message: string; details: unknown[] };
    assert.equal(typeof body.code, 'number');
    assert.ok(body.message.length > 0 && !body.message.includes('\n'), body.message);
    assert.deepEqual(body.details, []);
    assert.equal(t.service.log.head().size, 0);
    return r;
  }

  const hr = () => hashedRekordRequest('fuzz').request as unknown as Json;
  const cases: Array<[string, string, number]> = [
    ['malformed JSON', '{"hashedRekordRequestV002":', 400],
    ['empty object', '{}', 400],
    ['array', '[]', 400],
    ['both oneof members', JSON.stringify({ ...hr(), ...dsseRequest('x').request }), 400],
    ['unknown top-level field', JSON.stringify({ ...hr(), extra: 1 }), 400],
    ['v1 proposed entry', '{"kind":"hashedrekord","apiVersion":"0.0.1","spec":{}}', 400],
    ['digest not base64', JSON.stringify(set(hr(), ['hashedRekordRequestV002', 'digest'], '!!!')), 400],
    ['digest too short', JSON.stringify(set(hr(), ['hashedRekordRequestV002', 'digest'], 'AAAA')), 400],
    ['no signature', JSON.stringify(set(hr(), ['hashedRekordRequestV002', 'signature'], null)), 400],
    ['key not DER', JSON.stringify(set(hr(), [...VERIFIER, 'publicKey', 'rawBytes'], 'AAAA')), 400],
    ['unknown keyDetails', JSON.stringify(set(hr(), [...VERIFIER, 'keyDetails'], 'NOPE')), 400],
    ['keyDetails unset', JSON.stringify(set(hr(), [...VERIFIER, 'keyDetails'], 0)), 400],
    ['wrong signature', JSON.stringify(set(hr(), [...SIG, 'content'], Buffer.alloc(70, 1).toString('base64'))), 400],
    ['deeply nested JSON', '{"hashedRekordRequestV002":' + '['.repeat(5000) + ']'.repeat(5000) + '}', 400],
    [
      'certificate not DER',
      JSON.stringify(
        set(hr(), [...VERIFIER], {
          x509Certificate: { rawBytes: Buffer.from('3082010a0201', 'hex').toString('base64') },
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
        }),
      ),
      400,
    ],
    [
      'certificate is a bare key',
      JSON.stringify(
        set(hr(), [...VERIFIER], {
          x509Certificate: (get(hr(), [...VERIFIER]) as Json).publicKey,
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
        }),
      ),
      400,
    ],
    ['no dsse verifiers', JSON.stringify(set(dsseReq(), ['dsseRequestV002', 'verifiers'], [])), 400],
    ['11 dsse verifiers', JSON.stringify(set(dsseReq(), ['dsseRequestV002', 'verifiers'], Array(11).fill({}))), 400],
  ];
  for (const [name, payload, status] of cases) {
    it(name, async () => {
      const r = await rejected(payload);
      assert.equal(r.statusCode, status, r.body);
    });
  }

  it('a body over the limit is 413, another content type 415', async () => {
    const big = JSON.stringify({ hashedRekordRequestV002: { digest: 'A'.repeat(300 * 1024) } });
    assert.equal((await rejected(big)).statusCode, 413);
    assert.equal((await rejected('hello', 'application/x-www-form-urlencoded')).statusCode, 415);
    assert.equal((await rejected('hello', 'text/plain')).statusCode, 400);
  });

  it('random mutations of valid requests', async () => {
    const bases = [hr(), dsseReq()];
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 1 }),
        fc.array(fc.tuple(fc.nat(), fc.jsonValue({ maxDepth: 2 })), { minLength: 1, maxLength: 3 }),
        async (which, edits) => {
          const request = structuredClone(bases[which]!);
          for (const [pick, value] of edits) mutate(request, pick, value);
          const r = await t.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload: request as Json });
          assert.ok(r.statusCode < 500, `status ${r.statusCode}: ${r.body}`);
          if (r.statusCode >= 400) assert.equal(typeof r.json().message, 'string');
        },
      ),
      { numRuns: 300, seed: 11 },
    );
  });
});

function dsseReq(): Json {
  return dsseRequest('{"_type":"x"}').request as unknown as Json;
}

function get(obj: Json, path: string[]): unknown {
  return path.reduce<unknown>((o, k) => (o as Json)[k], obj);
}

function set(obj: Json, path: string[], value: unknown): Json {
  let o = obj;
  for (const k of path.slice(0, -1)) o = o[k] as Json;
  o[path[path.length - 1]!] = value;
  return obj;
}

/** Replaces one node (picked by `pick` among all object/array slots) with `value`. */
function mutate(root: Json, pick: number, value: unknown): void {
  const slots: Array<[Json | unknown[], string | number]> = [];
  (function walk(node: unknown) {
    if (Array.isArray(node)) node.forEach((v, i) => (slots.push([node, i]), walk(v)));
    else if (node && typeof node === 'object')
      for (const [k, v] of Object.entries(node)) {
        slots.push([node as Json, k]);
        walk(v);
      }
  })(root);
  const [parent, key] = slots[pick % slots.length]!;
  (parent as Record<string | number, unknown>)[key] = value;
}
