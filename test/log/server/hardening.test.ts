import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MAX_BUNDLED_ENTRY_BYTES, encodeEntryBundle } from '../../../src/merkle/index.js';
import { isSignetError } from '../../../src/errors.js';
import { logApp, type TestApp } from './app.js';
import { hashedRekordSigner } from './fixtures.js';

const ENTRIES = '/api/v1/log/entries';
const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');

/** An intoto 0.0.2 entry whose 64 signatures (64 keys) each carry a 1,000-character keyid: a ~90 KB canonical body. */
function oversizeIntoto() {
  const type = 'application/vnd.in-toto+json';
  const payload = Buffer.from('{"_type":"https://in-toto.io/Statement/v0.1"}');
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${type.length} ${type} ${payload.length} `), payload]);
  const signatures = Array.from({ length: 64 }, () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    return { keyid: 'k'.repeat(1000), sig: b64(b64(sign('sha256', pae, privateKey))), publicKey: b64(pem) };
  });
  return {
    kind: 'intoto',
    apiVersion: '0.0.2',
    spec: {
      content: {
        envelope: { payloadType: type, payload: b64(b64(payload)), signatures },
        hash: { algorithm: 'sha256', value: 'ab'.repeat(32) },
      },
    },
  };
}

describe('log hardening', () => {
  let t: TestApp;
  before(async () => {
    t = await logApp({ admitThreads: 0 });
  });
  after(async () => t.close());

  it('refuses an entry whose canonical body an entry bundle cannot hold, with 413 JSON, and logs nothing', async () => {
    const r = await t.app.inject({ method: 'POST', url: ENTRIES, payload: oversizeIntoto() });
    assert.equal(r.statusCode, 413, r.body);
    const body = r.json() as { code: number; message: string };
    assert.equal(body.code, 413);
    assert.match(body.message, /the canonical intoto entry is \d+ bytes; the log stores at most 65535 bytes per entry/);
    assert.equal(t.service.log.info().head.size, 0);
  });

  it('logs one signature once, whatever the hex case of its digest (the leaf keeps lower case)', async () => {
    const signer = hashedRekordSigner();
    const entry = signer.entry(Buffer.from('same artifact'));
    const upper = structuredClone(entry);
    upper.spec.data.hash.value = upper.spec.data.hash.value.toUpperCase();
    const first = await t.app.inject({ method: 'POST', url: ENTRIES, payload: upper });
    assert.equal(first.statusCode, 201, first.body);
    const logged = Object.values(first.json() as Record<string, { body: string }>)[0]!;
    const canonical = JSON.parse(Buffer.from(logged.body, 'base64').toString()) as typeof entry;
    assert.equal(canonical.spec.data.hash.value, entry.spec.data.hash.value);
    assert.equal(canonical.spec.data.hash.value, createHash('sha256').update('same artifact').digest('hex'));
    const again = await t.app.inject({ method: 'POST', url: ENTRIES, payload: entry });
    assert.equal(again.statusCode, 409, again.body);
    const mixed = structuredClone(entry);
    mixed.spec.data.hash.value = mixed.spec.data.hash.value.replace(/[a-f]/, (c) => c.toUpperCase());
    assert.equal((await t.app.inject({ method: 'POST', url: ENTRIES, payload: mixed })).statusCode, 409);
  });

  it('answers deeply nested JSON with 400 JSON on every body-taking endpoint', async () => {
    const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    for (const url of [ENTRIES, `${ENTRIES}/retrieve`, '/api/v1/index/retrieve']) {
      for (const payload of [deep, `{"kind":"hashedrekord","apiVersion":"0.0.1","spec":${deep}}`]) {
        const r = await t.app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
        assert.equal(r.statusCode, 400, `${url}: ${r.body.slice(0, 200)}`);
        assert.deepEqual(r.json(), { code: 400, message: 'request body nests JSON deeper than 64 levels' });
      }
    }
  });
});

describe('entry bundles', () => {
  it('hold entries up to 65535 bytes and name the entry that does not fit', () => {
    const max = Buffer.alloc(MAX_BUNDLED_ENTRY_BYTES, 1);
    const bundle = encodeEntryBundle([Buffer.from('a'), max], 512);
    assert.equal(bundle.readUInt16BE(0), 1);
    assert.equal(bundle.readUInt16BE(3), MAX_BUNDLED_ENTRY_BYTES);
    assert.equal(bundle.length, 2 + 1 + 2 + MAX_BUNDLED_ENTRY_BYTES);
    assert.throws(
      () => encodeEntryBundle([Buffer.from('a'), Buffer.alloc(MAX_BUNDLED_ENTRY_BYTES + 1)], 512),
      (e: unknown) => isSignetError(e, 'internal') && /entry 513 is 65536 bytes/.test(e.message),
    );
  });
});
