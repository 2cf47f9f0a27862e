import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
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
  precertEntryFromFinal,
  tbsWithoutExtension,
  verifySct,
  type CtLog,
} from '../../src/ct/index.js';
import { parseSctList, serializeSctList } from '../../src/encoding/index.js';
import { tempDir } from '../helpers/process.js';
import { makeLeaf, makePki, newKeyPair, type TestPki } from './pki.js';
import { trustedRootWith } from './trusted-root.js';

const publicUrl = 'http://localhost:3000';

async function setup(t: { after(fn: () => unknown): void }, pki: TestPki, dataDir = tempDir()) {
  const ct = await createCtLog({ dataDir, publicUrl, logger: pino({ level: 'silent' }), roots: () => [pki.root] });
  const app = Fastify();
  await ct.register(app);
  await app.ready();
  t.after(async () => {
    await app.close();
    await ct.close();
  });
  return { ct, app, dataDir };
}

/** A precert and its final certificate carrying the SCT the log gave, as Fulcio issues them. */
async function precertFlow(ct: CtLog, pki: TestPki, serial = '0a0b0c') {
  const leafKey = (await newKeyPair()).publicKey;
  const now = Math.floor(Date.now() / 1000) * 1000;
  const validity: [Date, Date] = [new Date(now - 1000), new Date(now + 600_000)];
  const precert = await makeLeaf(pki, { poison: true, leafKey, validity, serial });
  const sct = await ct.addPreChain([precert, pki.intermediate, pki.root]);
  const final = await makeLeaf(pki, { sctList: serializeSctList([sct]), leafKey, validity, serial });
  return { precert, sct, final };
}

test('precert flow: the embedded SCT verifies against the final certificate, here and in sigstore-js', async (t) => {
  const pki = await makePki();
  const { ct, dataDir } = await setup(t, pki);
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  assert.equal(statSync(join(dataDir, 'log-key.pem')).mode & 0o777, 0o600);
  assert.deepEqual(
    ct.logId,
    createHash('sha256')
      .update(ct.publicKey.export({ type: 'spki', format: 'der' }))
      .digest(),
  );

  const { precert, sct, final } = await precertFlow(ct, pki);
  assert.equal(sct.version, 0);
  assert.deepEqual(sct.logId, ct.logId);
  assert.deepEqual([sct.signature.hashAlgorithm, sct.signature.signatureAlgorithm], [4, 3]);
  assert.ok(verifySct(sct, precertEntryFromFinal(final, pki.intermediate), ct.publicKey));

  // An independent TBS: @peculiar's ASN.1 model of the precert with the poison dropped, re-encoded.
  const model = AsnConvert.parse(precert, Certificate);
  model.tbsCertificate.extensions = model.tbsCertificate.extensions!.filter(
    (e) => e.extnID !== '1.3.6.1.4.1.11129.2.4.3',
  );
  assert.deepEqual(
    tbsWithoutExtension(precert, OID_CT_POISON),
    Buffer.from(AsnConvert.serialize(model.tbsCertificate)),
  );

  // sigstore-js, as a client: SCT extension removed, TBS re-encoded, issuer key hash, log found by id.
  const material = toTrustMaterial(TrustedRoot.fromJSON(trustedRootWith(ct)));
  const logIds = verifySCTs(
    SigstoreCert.parse(Buffer.from(final)),
    SigstoreCert.parse(Buffer.from(pki.intermediate)),
    material.ctlogs,
  );
  assert.deepEqual(
    logIds.map((b) => Buffer.from(b)),
    [ct.logId],
  );

  // A different certificate does not verify with this SCT.
  const other = await makeLeaf(pki, { sctList: serializeSctList([sct]) });
  assert.ok(!verifySct(sct, precertEntryFromFinal(other, pki.intermediate), ct.publicKey));
  assert.throws(() =>
    verifySCTs(
      SigstoreCert.parse(Buffer.from(other)),
      SigstoreCert.parse(Buffer.from(pki.intermediate)),
      material.ctlogs,
    ),
  );
});

test('SCT lists round-trip; a resubmission gets the same SCT; the key survives a restart', async (t) => {
  const pki = await makePki();
  const dataDir = tempDir();
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = await setup(t, pki, dataDir);
  const { precert, sct } = await precertFlow(first.ct, pki);
  assert.deepEqual(parseSctList(serializeSctList([sct, sct])), [sct, sct]);
  const again = await first.ct.addPreChain([precert, pki.intermediate]);
  assert.equal(again.timestamp, sct.timestamp);
  await first.ct.close();
  const second = await createCtLog({ dataDir, publicUrl, logger: pino({ level: 'silent' }), roots: () => [pki.root] });
  t.after(() => second.close());
  assert.deepEqual(second.logId, first.ct.logId);
});

test('add-chain, get-sth, get-proof-by-hash, get-entries, consistency over HTTP', async (t) => {
  const pki = await makePki();
  const { ct, app, dataDir } = await setup(t, pki);
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const leaves: Buffer[] = [];
  for (let i = 0; i < 7; i++) {
    const cert = await makeLeaf(pki, { serial: `1${i}` });
    const res = await app.inject({
      method: 'POST',
      url: '/ct/v1/add-chain',
      payload: { chain: [cert, pki.intermediate].map((c) => c.toString('base64')) },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.id, ct.logId.toString('base64'));
    const sctSig = Buffer.from(body.signature, 'base64');
    const sct = {
      version: 0 as const,
      logId: ct.logId,
      timestamp: body.timestamp,
      extensions: Buffer.alloc(0),
      signature: { hashAlgorithm: sctSig[0]!, signatureAlgorithm: sctSig[1]!, signature: sctSig.subarray(4) },
    };
    assert.ok(verifySct(sct, { type: 'x509', certDer: cert }, ct.publicKey));
    leaves.push(merkleTreeLeaf(body.timestamp, { type: 'x509', certDer: cert }, Buffer.alloc(0)));
  }
  const sth = (await app.inject('/ct/v1/get-sth')).json();
  assert.equal(sth.tree_size, 7);
  // TreeHeadSignature: version 0, signature_type tree_hash (1), timestamp, tree_size, root.
  const tbs = Buffer.alloc(2 + 8 + 8 + 32);
  tbs[1] = 1;
  tbs.writeBigUInt64BE(BigInt(sth.timestamp), 2);
  tbs.writeBigUInt64BE(7n, 10);
  Buffer.from(sth.sha256_root_hash, 'base64').copy(tbs, 18);
  const ds = Buffer.from(sth.tree_head_signature, 'base64');
  const { verify } = await import('node:crypto');
  assert.ok(verify('sha256', tbs, ct.publicKey, ds.subarray(4)));

  const leafHash = (l: Buffer) =>
    createHash('sha256')
      .update(Buffer.concat([Buffer.from([0]), l]))
      .digest();
  const nodeHash = (a: Buffer, b: Buffer) =>
    createHash('sha256')
      .update(Buffer.concat([Buffer.from([1]), a, b]))
      .digest();
  for (let i = 0; i < 7; i++) {
    const res = await app.inject(
      `/ct/v1/get-proof-by-hash?hash=${encodeURIComponent(leafHash(leaves[i]!).toString('base64'))}&tree_size=7`,
    );
    assert.equal(res.statusCode, 200, res.body);
    const p = res.json();
    assert.equal(p.leaf_index, i);
    assert.deepEqual(
      rootFromProof(
        i,
        7,
        leafHash(leaves[i]!),
        p.audit_path.map((h: string) => Buffer.from(h, 'base64')),
        nodeHash,
      ),
      Buffer.from(sth.sha256_root_hash, 'base64'),
    );
  }
  const entries = (await app.inject('/ct/v1/get-entries?start=0&end=6')).json().entries;
  assert.equal(entries.length, 7);
  assert.deepEqual(Buffer.from(entries[3].leaf_input, 'base64'), leaves[3]);
  const eap = (await app.inject('/ct/v1/get-entry-and-proof?leaf_index=5&tree_size=7')).json();
  assert.deepEqual(Buffer.from(eap.leaf_input, 'base64'), leaves[5]);
  assert.deepEqual(
    rootFromProof(
      5,
      7,
      leafHash(leaves[5]!),
      eap.audit_path.map((h: string) => Buffer.from(h, 'base64')),
      nodeHash,
    ),
    Buffer.from(sth.sha256_root_hash, 'base64'),
  );
  const cons = await app.inject('/ct/v1/get-sth-consistency?first=3&second=7');
  assert.equal(cons.statusCode, 200);
  assert.ok(cons.json().consistency.length > 0);
  const roots = (await app.inject('/ct/v1/get-roots')).json();
  assert.deepEqual(roots.certificates, [pki.root.toString('base64')]);
});

/** RFC 9162 §2.1.3.2 verification, written out for the test. */
function rootFromProof(
  index: number,
  size: number,
  leaf: Buffer,
  path: Buffer[],
  h: (a: Buffer, b: Buffer) => Buffer,
): Buffer {
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) throw new Error('proof too long');
    if (fn % 2 === 1 || fn === sn) {
      r = h(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else r = h(r, p);
    fn >>= 1;
    sn >>= 1;
  }
  assert.equal(sn, 0);
  return r;
}

test('bad chains and bad queries get 4xx JSON, never a crash', async (t) => {
  const pki = await makePki();
  const other = await makePki('other');
  const { app, dataDir } = await setup(t, pki);
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const cert = await makeLeaf(pki, {});
  const precert = await makeLeaf(pki, { poison: true });
  const foreign = await makeLeaf(other, {});
  const b64 = (bs: Buffer[]) => bs.map((b) => b.toString('base64'));
  const posts: Array<[string, unknown]> = [
    ['/ct/v1/add-chain', { chain: b64([foreign, other.intermediate, other.root]) }],
    ['/ct/v1/add-chain', { chain: b64([cert]) }],
    ['/ct/v1/add-chain', { chain: b64([cert, other.intermediate]) }],
    ['/ct/v1/add-chain', { chain: ['%%%not base64%%%'] }],
    ['/ct/v1/add-chain', { chain: [Buffer.from('garbage').toString('base64')] }],
    ['/ct/v1/add-chain', { chain: [] }],
    ['/ct/v1/add-chain', { chain: 'x' }],
    ['/ct/v1/add-chain', { chain: [1, 2] }],
    ['/ct/v1/add-chain', {}],
    ['/ct/v1/add-chain', b64([precert, pki.intermediate])],
    ['/ct/v1/add-chain', { chain: b64([precert, pki.intermediate]) }],
    ['/ct/v1/add-pre-chain', { chain: b64([cert, pki.intermediate]) }],
    ['/ct/v1/add-pre-chain', { chain: b64([pki.root]) }],
    ['/ct/v1/add-pre-chain', { chain: b64(Array(11).fill(cert)) }],
  ];
  for (const [url, payload] of posts) {
    const res = await app.inject({ method: 'POST', url, payload: payload as object });
    assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(payload).slice(0, 80)}: ${res.body}`);
    assert.equal(typeof res.json().message, 'string');
  }
  for (const raw of ['{', 'null', '"x"', '[]']) {
    const res = await app.inject({
      method: 'POST',
      url: '/ct/v1/add-chain',
      headers: { 'content-type': 'application/json' },
      payload: raw,
    });
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${raw}: ${res.statusCode}`);
  }
  const gets = [
    '/ct/v1/get-sth-consistency',
    '/ct/v1/get-sth-consistency?first=2&second=1',
    '/ct/v1/get-sth-consistency?first=-1&second=1',
    '/ct/v1/get-sth-consistency?first=0&second=99999999999999999',
    '/ct/v1/get-proof-by-hash?hash=abc&tree_size=1',
    '/ct/v1/get-proof-by-hash?hash=' + 'A'.repeat(44) + '&tree_size=0',
    '/ct/v1/get-entries?start=0&end=0',
    '/ct/v1/get-entries?start=5&end=1',
    '/ct/v1/get-entries?start=a&end=1',
    '/ct/v1/get-entries?start=1&start=2&end=1',
    '/ct/v1/get-entry-and-proof?leaf_index=0&tree_size=0',
    '/ct/v1/get-entry-and-proof?leaf_index=x',
    '/ct/v1/nothing',
  ];
  for (const url of gets) {
    const res = await app.inject(url);
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${url}: ${res.statusCode} ${res.body}`);
    assert.equal(typeof res.json().message, 'string');
  }
});

test('concurrent submissions are batched: every SCT verifies, duplicates share one entry, proofs hold', async (t) => {
  const pki = await makePki();
  const { ct, app, dataDir } = await setup(t, pki);
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const certs = await Promise.all(Array.from({ length: 20 }, (_, i) => makeLeaf(pki, { serial: `2${i}` })));
  const submissions = [...certs, ...certs.slice(0, 5)];
  const scts = await Promise.all(submissions.map((c) => ct.addChain([c, pki.intermediate])));
  scts.forEach((sct, i) => assert.ok(verifySct(sct, { type: 'x509', certDer: submissions[i]! }, ct.publicKey)));
  for (let i = 0; i < 5; i++) assert.equal(scts[20 + i]!.timestamp, scts[i]!.timestamp);
  const sth = (await app.inject('/ct/v1/get-sth')).json();
  assert.equal(sth.tree_size, 20);
  const entries = (await app.inject('/ct/v1/get-entries?start=0&end=19')).json().entries;
  const leafHash = (b64: string) =>
    createHash('sha256')
      .update(Buffer.concat([Buffer.from([0]), Buffer.from(b64, 'base64')]))
      .digest();
  const nodeHash = (a: Buffer, b: Buffer) =>
    createHash('sha256')
      .update(Buffer.concat([Buffer.from([1]), a, b]))
      .digest();
  for (let i = 0; i < 20; i++) {
    const h = leafHash(entries[i].leaf_input);
    const p = (
      await app.inject(`/ct/v1/get-proof-by-hash?hash=${encodeURIComponent(h.toString('base64'))}&tree_size=20`)
    ).json();
    const path = p.audit_path.map((x: string) => Buffer.from(x, 'base64'));
    assert.deepEqual(rootFromProof(p.leaf_index, 20, h, path, nodeHash), Buffer.from(sth.sha256_root_hash, 'base64'));
  }
});
