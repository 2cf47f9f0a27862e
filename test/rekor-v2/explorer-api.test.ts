import assert from 'node:assert/strict';
import { createHash, createPrivateKey, sign, webcrypto } from 'node:crypto';
import { after, test, type TestContext } from 'node:test';
import '../ct/reflect-shim.js';
import * as x509 from '@peculiar/x509';
import { PostgresLogStore, type LogStore } from '../../src/log/index.js';
import { leafHash, verifyInclusion } from '../../src/merkle/index.js';
import { requireOrSkip } from '../helpers/env.js';
import { pgReachable, testSchema } from '../log/tiles/pg-env.js';
import { dsseRequest, hashedRekordRequest, v2App } from './fixtures.js';

const pgUp = await pgReachable();
const drops: Array<() => Promise<void>> = [];
after(async () => {
  for (const d of drops) await d();
});

/**
 * The v2 log's stores: SQLite (`signet up`'s default) and PostgreSQL (`signet up --database-url`), each with the
 * search keys written at append time into its `index_keys` table.
 */
const backends: Array<[string, (t: TestContext) => Promise<LogStore | undefined | false>]> = [
  ['sqlite', async () => undefined],
  [
    'postgres',
    async (t) => {
      if (!requireOrSkip(t, pgUp, 'PostgreSQL at 127.0.0.1:5432')) return false;
      const s = testSchema('signet_v2x');
      drops.push(s.drop);
      return PostgresLogStore.open(s.url);
    },
  ],
];

/** A self-signed P-256 certificate for `email` (SAN) and its private key. */
async function emailCertificate(email: string) {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '02',
    name: 'CN=explorer test',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3600_000),
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: 'email', value: email }])],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { der: Buffer.from(cert.rawData), key: createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }) };
}

const post = (t: Awaited<ReturnType<typeof v2App>>, payload: unknown) =>
  t.app.inject({ method: 'POST', url: '/explorer/api/v2/index/retrieve', payload: payload as object });

for (const [name, storeFor] of backends) {
  test(`explorer v2 API (${name}): entries are found by email, digest, public key and leaf hash, with a verifiable proof`, async (tc) => {
    const store = await storeFor(tc);
    if (store === false) return;
    const t = await v2App(store ? { store } : {});
    try {
      const { der, key } = await emailCertificate('Alice@Example.com');
      const data = Buffer.from('explorer v2 artifact');
      const digest = createHash('sha256').update(data).digest();
      const certRequest = {
        hashedRekordRequestV002: {
          digest: digest.toString('base64'),
          signature: {
            content: sign('sha256', data, key).toString('base64'),
            verifier: { x509Certificate: { rawBytes: der.toString('base64') }, keyDetails: 'PKIX_ECDSA_P256_SHA_256' },
          },
        },
      };
      const keyed = hashedRekordRequest('another artifact');
      const dsse = dsseRequest('{"_type":"x"}');
      for (const r of [keyed.request, certRequest, dsse.request]) {
        const res = await t.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload: r });
        assert.equal(res.statusCode, 201, res.body);
      }

      assert.deepEqual((await post(t, { email: 'alice@example.com' })).json(), { logIndexes: [1] });
      assert.deepEqual((await post(t, { hash: `sha256:${digest.toString('hex')}` })).json(), { logIndexes: [1] });
      assert.deepEqual((await post(t, { email: 'bob@example.com' })).json(), { logIndexes: [] });
      const payloadHash = createHash('sha256').update('{"_type":"x"}').digest('hex');
      assert.deepEqual((await post(t, { hash: payloadHash })).json(), { logIndexes: [2] });
      const pem = keyed.key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const byKey = await post(t, { publicKey: { format: 'x509', content: Buffer.from(pem).toString('base64') } });
      assert.deepEqual(byKey.json(), { logIndexes: [0] });
      const or = await post(t, { email: 'alice@example.com', hash: payloadHash, operator: 'or' });
      assert.deepEqual(or.json(), { logIndexes: [2, 1] });
      // Paging intersects nothing: "and" over several fields is refused with a pointer, not answered wrongly.
      const and = await post(t, { email: 'alice@example.com', hash: payloadHash, operator: 'and' });
      assert.equal(and.statusCode, 400);
      assert.match(and.json().message, /or/);

      const entry = (await t.app.inject({ url: '/explorer/api/v2/entries/1' })).json();
      const body = Buffer.from(entry.body, 'base64');
      assert.equal(JSON.parse(body.toString()).kind, 'hashedrekord');
      assert.equal(entry.leafHash, leafHash(body).toString('hex'));
      const p = entry.inclusionProof;
      assert.equal(p.treeSize, 3);
      assert.ok(
        verifyInclusion(
          leafHash(body),
          1,
          3,
          p.hashes.map((h: string) => Buffer.from(h, 'hex')),
          Buffer.from(p.rootHash, 'hex'),
        ),
      );
      assert.deepEqual((await post(t, { leafHash: entry.leafHash })).json(), { logIndexes: [1] });

      const info = (await t.app.inject({ url: '/explorer/api/v2/log' })).json();
      assert.equal(info.treeSize, 3);
      assert.equal(info.rootHash, p.rootHash);
      assert.match(info.publicKey, /BEGIN PUBLIC KEY/);
      assert.ok(info.checkpoint.startsWith(`${info.origin}\n`), 'the published checkpoint (refreshed on a timer)');

      // One key on many entries: pages of `limit`, newest first, `next` until the last page.
      const many = hashedRekordRequest('page 0');
      const indexes: number[] = [];
      for (let i = 0; i < 7; i++) {
        const r = i === 0 ? many : hashedRekordRequest(`page ${i}`, many.key);
        const res = await t.app.inject({ method: 'POST', url: '/api/v2/log/entries', payload: r.request });
        assert.equal(res.statusCode, 201, res.body);
        indexes.push(Number((res.json() as { logIndex: string | number }).logIndex));
      }
      const manyPem = many.key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const publicKey = { format: 'x509', content: Buffer.from(manyPem).toString('base64') };
      const newest = [...indexes].reverse();
      const p1 = (await post(t, { publicKey, limit: 3 })).json();
      assert.deepEqual(p1, { logIndexes: newest.slice(0, 3), next: newest[2] });
      const p2 = (await post(t, { publicKey, limit: 3, before: p1.next })).json();
      assert.deepEqual(p2, { logIndexes: newest.slice(3, 6), next: newest[5] });
      const p3 = (await post(t, { publicKey, limit: 3, before: p2.next })).json();
      assert.deepEqual(p3, { logIndexes: newest.slice(6) });
    } finally {
      await t.close();
    }
  });
}

test('explorer v2 API: bad input is a 4xx JSON error', async () => {
  const t = await v2App();
  try {
    for (const payload of [{ email: 'not-an-email' }, { hash: 'xyz' }, { leafHash: 'zz' }, { nope: 1 }, [1]]) {
      const res = await post(t, payload);
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${JSON.stringify(payload)}: ${res.statusCode}`);
      assert.equal(typeof res.json().message, 'string');
    }
    for (const url of ['/explorer/api/v2/entries/-1', '/explorer/api/v2/entries/abc', '/explorer/api/v2/entries/5']) {
      const res = await t.app.inject({ url });
      assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${url}: ${res.statusCode}`);
      assert.equal(typeof res.json().message, 'string');
    }
  } finally {
    await t.close();
  }
});
