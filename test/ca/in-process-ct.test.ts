import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { rmSync } from 'node:fs';
import { X509Certificate as SigstoreCert } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial } from '@sigstore/verify';
import { verifySCTs } from '@sigstore/verify/dist/key/sct.js';
import Fastify from 'fastify';
import pino from 'pino';
import {
  createCtLog,
  merkleTreeLeaf,
  OID_CT_POISON,
  OID_CT_SCT_LIST,
  precertEntryFromFinal,
  tbsWithoutExtension,
  verifySct,
  type CtLog,
} from '../../src/ct/index.js';
import { derValue, extensionValue, parseDer, parseSctList } from '../../src/encoding/index.js';
import { tempDir } from '../helpers/process.js';
import { trustedRootWith } from '../ct/trusted-root.js';
import { keyAndProof, startTestCa, startTestIssuer, v2Body } from './fixtures.js';

/** The RFC 6962 leaf hash of a MerkleTreeLeaf. */
const leafHash = (leaf: Buffer) =>
  createHash('sha256')
    .update(Buffer.from([0]))
    .update(leaf)
    .digest();

test('in-process CT: the CA hands its own precertificate over; the SCT verifies, the leaf is logged, add-pre-chain still refuses a forgery', async (t) => {
  const issuer = await startTestIssuer();
  t.after(() => issuer.close());
  let roots: () => Buffer[] = () => [];
  const dataDir = tempDir('signet-ct-');
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const ct = await createCtLog({
    dataDir,
    publicUrl: 'http://ct.test',
    logger: pino({ level: 'silent' }),
    roots: () => roots(),
  });
  t.after(() => ct.close());
  // The CA sees the log's own object, as in `signet up`; count which door it takes.
  const calls = { own: 0, preChain: 0 };
  const watched: CtLog = {
    ...ct,
    addPreChain: (chain) => (calls.preChain++, ct.addPreChain(chain)),
    addOwnPrecertificate: (p) => (calls.own++, ct.addOwnPrecertificate(p)),
  };
  const ca = await startTestCa(
    { OIDCIssuers: { [issuer.url]: { IssuerURL: issuer.url, ClientID: 'sigstore', Type: 'email' } } },
    { ctLog: watched },
  );
  t.after(() => ca.close());
  const [intermediate, root] = ca.ca.trust().certChainDer as [Buffer, Buffer];
  roots = () => [root];
  const ctApp = Fastify();
  await ct.register(ctApp);
  await ctApp.ready();
  t.after(() => ctApp.close());

  const { pem, proof } = keyAndProof('alice@example.com');
  const token = await issuer.token({ sub: 's', email: 'alice@example.com', email_verified: true });
  const res = await ca.app.inject({ method: 'POST', url: '/api/v2/signingCert', payload: v2Body(token, pem, proof) });
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(calls, { own: 1, preChain: 0 });
  const certs = res.json().signedCertificateEmbeddedSct.chain.certificates as string[];
  const final = new X509Certificate(certs[0]!).raw;

  // The embedded SCT verifies here and in sigstore-js.
  const list = extensionValue(final, OID_CT_SCT_LIST);
  assert.ok(list);
  const [sct] = parseSctList(derValue(parseDer(list, 'SCT list')));
  assert.ok(sct);
  const entry = precertEntryFromFinal(final, intermediate);
  assert.ok(verifySct(sct, entry, ct.publicKey));
  const material = toTrustMaterial(TrustedRoot.fromJSON(trustedRootWith(ct)));
  const logIds = verifySCTs(
    SigstoreCert.parse(Buffer.from(final)),
    SigstoreCert.parse(Buffer.from(intermediate)),
    material.ctlogs,
  );
  assert.deepEqual(
    logIds.map((b) => Buffer.from(b)),
    [ct.logId],
  );

  // The leaf is in the log: the entry is the one the SCT signed, with its proof, and extra_data holds the precert.
  const sth = (await ctApp.inject({ method: 'GET', url: '/ct/v1/get-sth' })).json();
  assert.equal(sth.tree_size, 1);
  const [logged] = (await ctApp.inject({ method: 'GET', url: '/ct/v1/get-entries?start=0&end=0' })).json().entries;
  const leafInput = Buffer.from(logged.leaf_input, 'base64');
  assert.deepEqual(leafInput, merkleTreeLeaf(sct.timestamp, entry, Buffer.alloc(0)));
  const hash = encodeURIComponent(leafHash(leafInput).toString('base64'));
  const proofRes = await ctApp.inject({ method: 'GET', url: `/ct/v1/get-proof-by-hash?hash=${hash}&tree_size=1` });
  assert.equal(proofRes.statusCode, 200);
  assert.equal(proofRes.json().leaf_index, 0);
  // PrecertChainEntry: u24 precert, then the u24 chain (intermediate, root).
  const extra = Buffer.from(logged.extra_data, 'base64');
  const precert = extra.subarray(3, 3 + extra.readUIntBE(0, 3));
  assert.equal(precert[0], 0x30);
  // The TBS the CA handed over is the one add-pre-chain would have cut out of the precertificate.
  const parsedEntry = { ...entry, tbsDer: tbsWithoutExtension(precert, OID_CT_POISON) };
  assert.deepEqual(leafInput, merkleTreeLeaf(sct.timestamp, parsedEntry, Buffer.alloc(0)));
  assert.ok(extra.subarray(3 + precert.length).includes(intermediate));
  assert.ok(extra.subarray(3 + precert.length).includes(root));

  // The same precertificate over HTTP passes every check and gets the SCT it already has (one entry, same id).
  const submit = (chain: Buffer[]) =>
    ctApp.inject({
      method: 'POST',
      url: '/ct/v1/add-pre-chain',
      payload: { chain: chain.map((c) => c.toString('base64')) },
    });
  const again = await submit([precert, intermediate, root]);
  assert.equal(again.statusCode, 200, again.body);
  assert.equal(again.json().timestamp, sct.timestamp);

  // A forged precertificate (one bit of the signature flipped; then a changed TBS under the real signature) is
  // refused over HTTP: the HTTP endpoints keep every check.
  const forgedSig = Buffer.from(precert);
  forgedSig[forgedSig.length - 1]! ^= 0x01;
  const refused = await submit([forgedSig, intermediate, root]);
  assert.equal(refused.statusCode, 400, refused.body);
  assert.match(refused.json().message, /not signed by certificate 1/);
  const serialAt = precert.indexOf(Buffer.from([0x02, 0x01, 0x02])) + 5; // after [0] version: the serial's bytes
  const forgedTbs = Buffer.from(precert);
  forgedTbs[serialAt + 3]! ^= 0x01;
  const refusedTbs = await submit([forgedTbs, intermediate, root]);
  assert.equal(refusedTbs.statusCode, 400, refusedTbs.body);
  assert.equal((await ctApp.inject({ method: 'GET', url: '/ct/v1/get-sth' })).json().tree_size, 1);
});

test("in-process CT: a CA whose chain does not end at the log's root gets no SCT", async (t) => {
  const issuer = await startTestIssuer();
  t.after(() => issuer.close());
  const dataDir = tempDir('signet-ct-');
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const other = await startTestCa({ OIDCIssuers: {} });
  t.after(() => other.close());
  const ct = await createCtLog({
    dataDir,
    publicUrl: 'http://ct.test',
    logger: pino({ level: 'silent' }),
    roots: () => other.ca.trust().certChainDer.slice(-1),
  });
  t.after(() => ct.close());
  const ca = await startTestCa(
    { OIDCIssuers: { [issuer.url]: { IssuerURL: issuer.url, ClientID: 'sigstore', Type: 'email' } } },
    { ctLog: ct },
  );
  t.after(() => ca.close());
  const { pem, proof } = keyAndProof('alice@example.com');
  const token = await issuer.token({ sub: 's', email: 'alice@example.com', email_verified: true });
  const res = await ca.app.inject({ method: 'POST', url: '/api/v2/signingCert', payload: v2Body(token, pem, proof) });
  assert.equal(res.statusCode, 500);
  assert.equal(res.json().message, 'error entering certificate in CTL');
});
