import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { verifyConsistency, verifyInclusion } from '../../../src/merkle/index.js';
import { logApp, type TestApp } from './app.js';
import { checkCheckpoint, checkSet, hashedRekordSigner, oracleLeafHash } from './fixtures.js';

type AnyJson = Record<string, any>;

describe('Rekor v1 API', () => {
  let t: TestApp;
  const signer = hashedRekordSigner();
  const post = (url: string, payload: unknown) => t.app.inject({ method: 'POST', url, payload: payload as object });
  const get = (url: string) => t.app.inject({ method: 'GET', url });

  before(async () => {
    t = await logApp();
  });
  after(async () => t.close());

  /** Checks a LogEntry as rekor-cli and sigstore-js do; returns its ID and value. */
  function checkLogEntry(json: AnyJson): [string, AnyJson] {
    const ids = Object.keys(json);
    assert.equal(ids.length, 1);
    const [id, e] = [ids[0]!, json[ids[0]!]];
    assert.match(id, /^[0-9a-f]{80}$/);
    assert.equal(id.slice(0, 16), BigInt(t.service.log.treeId).toString(16).padStart(16, '0'));
    const body = Buffer.from(e.body, 'base64');
    assert.equal(id.slice(16), oracleLeafHash(body).toString('hex'));
    assert.equal(typeof e.integratedTime, 'number');
    assert.equal(typeof e.logIndex, 'number');
    assert.equal(e.logID, createHash('sha256').update(t.service.log.identity.publicKeyDer).digest('hex'));
    const key = t.service.log.identity.publicKey;
    assert.ok(checkSet(e, Buffer.from(e.verification.signedEntryTimestamp, 'base64'), key));
    const p = e.verification.inclusionProof;
    assert.equal(p.logIndex, e.logIndex);
    const cp = checkCheckpoint(p.checkpoint, key, e.logID);
    assert.equal(cp.origin, `log.test - ${t.service.log.treeId}`);
    assert.equal(cp.size, p.treeSize);
    assert.equal(cp.rootHash.toString('hex'), p.rootHash);
    const hashes = p.hashes.map((h: string) => Buffer.from(h, 'hex'));
    assert.ok(verifyInclusion(oracleLeafHash(body), p.logIndex, p.treeSize, hashes, Buffer.from(p.rootHash, 'hex')));
    return [id, e];
  }

  it('POST creates an entry: 201, Location, ETag, a verifiable LogEntry', async () => {
    const r = await post('/api/v1/log/entries', signer.entry());
    assert.equal(r.statusCode, 201, r.body);
    const [id, e] = checkLogEntry(r.json());
    assert.equal(r.headers.etag, id);
    assert.equal(r.headers.location, `/api/v1/log/entries/${id}`);
    assert.equal(e.logIndex, 0);
    assert.equal(JSON.parse(Buffer.from(e.body, 'base64').toString()).kind, 'hashedrekord');
  });

  it('POST of the same entry again is 409 with the Location of the first', async () => {
    const entry = signer.entry();
    const first = await post('/api/v1/log/entries', entry);
    const again = await post('/api/v1/log/entries', entry);
    assert.equal(again.statusCode, 409);
    assert.equal(again.headers.location, first.headers.location);
    assert.equal(again.json().code, 409);
    assert.match(again.json().message, /already exists/);
  });

  it('GET by index, by 64- and 80-character UUID; retrieve by UUID, index and proposed entry', async () => {
    const entry = signer.entry();
    const created = await post('/api/v1/log/entries', entry);
    const [id, e] = checkLogEntry(created.json());
    for (const url of [
      `/api/v1/log/entries?logIndex=${e.logIndex}`,
      `/api/v1/log/entries/${id}`,
      `/api/v1/log/entries/${id.slice(16)}`,
      `/api/v1/log/entries/${id.toUpperCase()}`,
    ]) {
      const r = await get(url);
      assert.equal(r.statusCode, 200, url);
      const [gotId, got] = checkLogEntry(r.json());
      assert.equal(gotId, id);
      assert.equal(got.body, e.body);
      assert.equal(got.verification.signedEntryTimestamp, e.verification.signedEntryTimestamp);
    }
    const r = await post('/api/v1/log/entries/retrieve', {
      entries: [entry],
      entryUUIDs: [id, id.slice(16), 'ab'.repeat(32)],
      logIndexes: [e.logIndex, 9999],
    });
    assert.equal(r.statusCode, 200, r.body);
    const list = r.json() as AnyJson[];
    assert.equal(list.length, 4);
    for (const item of list) assert.equal(checkLogEntry(item)[0], id);
    const none = await post('/api/v1/log/entries/retrieve', { logIndexes: [123456] });
    assert.deepEqual(none.json(), []);
  });

  it('GET of a missing entry is 404', async () => {
    assert.equal((await get('/api/v1/log/entries?logIndex=99999')).statusCode, 404);
    assert.equal((await get(`/api/v1/log/entries/${'cd'.repeat(32)}`)).statusCode, 404);
    // An 80-character ID naming another tree is not in this log.
    assert.equal((await get(`/api/v1/log/entries/0000000000000001${'cd'.repeat(32)}`)).statusCode, 404);
  });

  it('GET /api/v1/log, publicKey and proof agree and verify', async () => {
    const info1 = (await get('/api/v1/log')).json();
    await post('/api/v1/log/entries', signer.entry());
    await post('/api/v1/log/entries', signer.entry());
    const r = await get('/api/v1/log');
    assert.equal(r.statusCode, 200);
    const info = r.json();
    assert.equal(info.treeID, t.service.log.treeId);
    assert.equal(typeof info.treeSize, 'number');
    assert.deepEqual(info.inactiveShards, []);
    const pem = await get(`/api/v1/log/publicKey?treeID=${info.treeID}`);
    assert.equal(pem.statusCode, 200);
    assert.match(String(pem.headers['content-type']), /application\/x-pem-file/);
    const key = createPublicKey(pem.body);
    const cp = checkCheckpoint(info.signedTreeHead, key, t.service.log.identity.logId);
    assert.equal(cp.size, info.treeSize);
    assert.equal(cp.rootHash.toString('hex'), info.rootHash);
    const proof = await get(`/api/v1/log/proof?firstSize=${info1.treeSize}&lastSize=${info.treeSize}`);
    assert.equal(proof.statusCode, 200, proof.body);
    const { rootHash, hashes } = proof.json();
    assert.equal(rootHash, info.rootHash);
    const ok = verifyConsistency(
      info1.treeSize,
      info.treeSize,
      hashes.map((h: string) => Buffer.from(h, 'hex')),
      Buffer.from(info1.rootHash, 'hex'),
      Buffer.from(info.rootHash, 'hex'),
    );
    assert.ok(ok);
    const same = await get(`/api/v1/log/proof?firstSize=${info.treeSize}&lastSize=${info.treeSize}`);
    assert.deepEqual(same.json(), { rootHash: info.rootHash, hashes: [] });
  });

  it('index search by hash, public key and operator', async () => {
    const other = hashedRekordSigner();
    const artifact = Buffer.from('search me');
    const created = await post('/api/v1/log/entries', other.entry(artifact));
    const [id] = checkLogEntry(created.json());
    const digest = createHash('sha256').update(artifact).digest('hex');
    const search = async (q: unknown) => {
      const r = await post('/api/v1/index/retrieve', q);
      assert.equal(r.statusCode, 200, r.body);
      return r.json() as string[];
    };
    assert.deepEqual(await search({ hash: `sha256:${digest}` }), [id]);
    assert.deepEqual(await search({ hash: digest.toUpperCase() }), [id]);
    const publicKey = { format: 'x509', content: Buffer.from(other.pem).toString('base64') };
    assert.deepEqual(await search({ publicKey }), [id]);
    assert.deepEqual(await search({ publicKey, hash: digest, operator: 'and' }), [id]);
    assert.deepEqual(await search({ publicKey, hash: 'ab'.repeat(32), operator: 'and' }), []);
    assert.deepEqual(await search({ publicKey, hash: 'ab'.repeat(32), operator: 'or' }), [id]);
    assert.deepEqual(await search({ email: 'nobody@example.com' }), []);
  });

  it('healthz and readyz answer', async () => {
    assert.equal((await get('/healthz')).statusCode, 200);
    assert.equal((await get('/readyz')).statusCode, 200);
  });
});

describe('Rekor v1 API with an Ed25519 log key', () => {
  it('signs SETs and checkpoints with Ed25519 and keeps the key across restarts', async () => {
    const t = await logApp({ keyType: 'ed25519' });
    const dataDir = t.dataDir;
    try {
      const identity = t.service.log.identity;
      assert.equal(identity.keyType, 'ed25519');
      const r = await t.app.inject({
        method: 'POST',
        url: '/api/v1/log/entries',
        payload: hashedRekordSigner().entry(),
      });
      assert.equal(r.statusCode, 201, r.body);
      const e = Object.values(r.json())[0] as any;
      assert.ok(checkSet(e, Buffer.from(e.verification.signedEntryTimestamp, 'base64'), identity.publicKey));
      checkCheckpoint(e.verification.inclusionProof.checkpoint, identity.publicKey, identity.logId);
      await t.app.close();
      await t.service.close();
      // The flag only applies to a new key: restarting with the default type keeps the Ed25519 key and tree.
      const again = await logApp({}, dataDir);
      assert.equal(again.service.log.identity.logId, identity.logId);
      assert.equal(again.service.log.info().head.size, 1);
      await again.close();
    } catch (err) {
      await t.close();
      throw err;
    }
  });
});
