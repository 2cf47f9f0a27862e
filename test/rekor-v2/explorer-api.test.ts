import assert from 'node:assert/strict';
import { createHash, createPrivateKey, sign, webcrypto } from 'node:crypto';
import { test } from 'node:test';
import '../ct/reflect-shim.js';
import * as x509 from '@peculiar/x509';
import { leafHash, verifyInclusion } from '../../src/merkle/index.js';
import { dsseRequest, hashedRekordRequest, v2App } from './fixtures.js';

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

test('explorer v2 API: entries are found by email, digest, public key and leaf hash, with a verifiable proof', async () => {
  const t = await v2App();
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
    const and = await post(t, { email: 'alice@example.com', hash: payloadHash, operator: 'and' });
    assert.deepEqual(and.json(), { logIndexes: [] });

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
  } finally {
    await t.close();
  }
});

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
