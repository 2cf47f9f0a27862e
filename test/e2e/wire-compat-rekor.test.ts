// Wire contract of signet's Rekor v1 API against sigstore/rekor's openapi.yaml and what rekor-cli, cosign and the
// npm sigstore packages send and parse: field names, JSON types, status codes, headers. Drives a real `signet up`.
import assert from 'node:assert/strict';
import { createHash, createPublicKey } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { canonicalJson } from '../../src/encoding/canonical-json.js';
import { startSignet, type RunningStack } from '../helpers/process.js';
import { checkCheckpoint, checkSet, hashedRekordSigner, oracleLeafHash } from '../log/server/fixtures.js';

type Json = Record<string, unknown>;
const HEX64 = /^[0-9a-f]{64}$/;
const ENTRY_ID = /^[0-9a-f]{80}$/;
const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

let stack: RunningStack;
const signer = hashedRekordSigner();
const proposed = [signer.entry(), signer.entry(), signer.entry()];
const created: { id: string; entry: Json; location: string | null; etag: string | null }[] = [];

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const r = await fetch(stack.url + path, {
    method,
    headers: body === undefined ? { accept: 'application/json' } : { 'content-type': contentType },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json: json as any };
}

/** Rekor's `Error` definition: `{code: integer, message: string}` with code equal to the HTTP status. */
function assertError(r: Awaited<ReturnType<typeof call>>, status: number) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(r.json.code, status);
  assert.equal(typeof r.json.message, 'string');
}

/** One `LogEntry` value (`LogEntryAnon`) with the openapi types: integers, hex hashes, base64 body and SET. */
function assertLogEntryAnon(e: Json, logId: string) {
  assert.deepEqual(Object.keys(e).sort(), ['body', 'integratedTime', 'logID', 'logIndex', 'verification']);
  assert.equal(typeof e.body, 'string');
  assert.match(e.body as string, B64);
  assert.ok(Number.isSafeInteger(e.integratedTime) && (e.integratedTime as number) > 1_600_000_000);
  assert.ok((e.integratedTime as number) < Date.now() / 1000 + 60, 'integratedTime is in seconds');
  assert.equal(e.logID, logId);
  assert.ok(Number.isInteger(e.logIndex) && (e.logIndex as number) >= 0);
  const v = e.verification as Json;
  assert.deepEqual(Object.keys(v).sort(), ['inclusionProof', 'signedEntryTimestamp']);
  assert.match(v.signedEntryTimestamp as string, B64);
  const p = v.inclusionProof as Json;
  assert.deepEqual(Object.keys(p).sort(), ['checkpoint', 'hashes', 'logIndex', 'rootHash', 'treeSize']);
  assert.equal(p.logIndex, e.logIndex);
  assert.match(p.rootHash as string, HEX64);
  assert.ok(Number.isInteger(p.treeSize) && (p.treeSize as number) > (p.logIndex as number));
  assert.ok(Array.isArray(p.hashes));
  for (const h of p.hashes as unknown[]) assert.match(h as string, HEX64);
  assert.equal(typeof p.checkpoint, 'string');
  const [, size, root] = (p.checkpoint as string).split('\n');
  assert.equal(Number(size), p.treeSize);
  assert.equal(Buffer.from(root!, 'base64').toString('hex'), p.rootHash);
}

function only(logEntry: Json): [string, Json] {
  const keys = Object.keys(logEntry);
  assert.equal(keys.length, 1, 'a LogEntry has exactly one key');
  return [keys[0]!, logEntry[keys[0]!] as Json];
}

let logId: string;
let treeId: string;
let logKeyPem: string;

before(async () => {
  stack = await startSignet(['up'], { env: { SIGNET_LOG_LEVEL: 'warn' } });
  logKeyPem = (await call('GET', '/api/v1/log/publicKey')).text;
  logId = createHash('sha256')
    .update(createPublicKey(logKeyPem).export({ type: 'spki', format: 'der' }))
    .digest('hex');
  for (const p of proposed) {
    const r = await call('POST', '/api/v1/log/entries', p);
    assert.equal(r.status, 201, r.text);
    const [id, entry] = only(r.json);
    created.push({ id, entry, location: r.headers.get('location'), etag: r.headers.get('etag') });
  }
  treeId = (await call('GET', '/api/v1/log')).json.treeID;
});
after(async () => {
  await stack?.stop();
  if (stack) rmSync(stack.dataDir, { recursive: true, force: true });
});

describe('Rekor v1 wire contract (openapi.yaml)', () => {
  it('POST /api/v1/log/entries: 201, LogEntry keyed by the 80-hex entry ID, ETag and Location', () => {
    for (const c of created) {
      assert.match(c.id, ENTRY_ID);
      assert.equal(c.etag, c.id);
      assert.ok(c.location?.endsWith(`/api/v1/log/entries/${c.id}`), String(c.location));
      assertLogEntryAnon(c.entry, logId);
      assert.equal(c.id.slice(16), oracleLeafHash(Buffer.from(c.entry.body as string, 'base64')).toString('hex'));
      assert.equal(c.id.slice(0, 16), BigInt(treeId).toString(16).padStart(16, '0'));
    }
    assert.deepEqual(
      created.map((c) => c.entry.logIndex),
      [0, 1, 2],
    );
  });

  it('the body is the canonical proposed entry and the SET signs {body, integratedTime, logID, logIndex}', () => {
    const key = createPublicKey(logKeyPem);
    for (const [i, c] of created.entries()) {
      const body = JSON.parse(Buffer.from(c.entry.body as string, 'base64').toString());
      assert.equal(body.kind, 'hashedrekord');
      assert.equal(body.apiVersion, '0.0.1');
      assert.equal(body.spec.data.hash.value, proposed[i]!.spec.data.hash.value);
      assert.equal(Buffer.from(c.entry.body as string, 'base64').toString(), canonicalJson(body));
      const v = c.entry.verification as { signedEntryTimestamp: string };
      assert.ok(checkSet(c.entry as never, Buffer.from(v.signedEntryTimestamp, 'base64'), key));
    }
  });

  it('a duplicate: 409 with Rekor error body and Location of the existing entry', async () => {
    const r = await call('POST', '/api/v1/log/entries', proposed[0]);
    assertError(r, 409);
    assert.ok(r.headers.get('location')?.endsWith(`/api/v1/log/entries/${created[0]!.id}`));
    assert.match(r.json.message, new RegExp(created[0]!.id));
  });

  it('GET /api/v1/log: LogInfo with integer treeSize, hex rootHash, decimal-string treeID, signed checkpoint', async () => {
    const r = await call('GET', '/api/v1/log');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    const info = r.json;
    assert.equal(info.treeSize, 3);
    assert.match(info.rootHash, HEX64);
    assert.equal(typeof info.treeID, 'string');
    assert.match(info.treeID, /^[0-9]+$/);
    assert.equal(typeof info.signedTreeHead, 'string');
    const body = checkCheckpoint(info.signedTreeHead, createPublicKey(logKeyPem), logId);
    assert.equal(body.size, 3);
    assert.equal(body.rootHash.toString('hex'), info.rootHash);
    assert.ok(info.inactiveShards === undefined || Array.isArray(info.inactiveShards));
    const stable = await call('GET', '/api/v1/log?stable=true');
    assert.equal(stable.status, 200);
    assert.equal(stable.json.treeID, info.treeID);
  });

  it('GET /api/v1/log/publicKey: PEM as application/x-pem-file; ?treeID of this tree works, another is 400', async () => {
    const r = await call('GET', '/api/v1/log/publicKey');
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/x-pem-file/);
    assert.match(r.text, /^-----BEGIN PUBLIC KEY-----\n/);
    assert.equal((await call('GET', `/api/v1/log/publicKey?treeID=${treeId}`)).text, r.text);
    assertError(await call('GET', '/api/v1/log/publicKey?treeID=12345'), 400);
  });

  it('GET /api/v1/log/entries/{entryUUID}: 80-hex ID and bare 64-hex UUID both answer the 80-hex key', async () => {
    for (const id of [created[1]!.id, created[1]!.id.slice(16), created[1]!.id.toUpperCase()]) {
      const r = await call('GET', `/api/v1/log/entries/${id}`);
      assert.equal(r.status, 200, r.text);
      const [key, e] = only(r.json);
      assert.equal(key, created[1]!.id);
      assertLogEntryAnon(e, logId);
      assert.equal(e.body, created[1]!.entry.body);
    }
    assert.equal((await call('GET', `/api/v1/log/entries/${'ab'.repeat(32)}`)).status, 404);
    assert.equal(
      (await call('GET', `/api/v1/log/entries/${BigInt(treeId).toString(16).padStart(16, '0')}${'ab'.repeat(32)}`))
        .status,
      404,
    );
    assertError(await call('GET', '/api/v1/log/entries/abc'), 422);
    assertError(await call('GET', `/api/v1/log/entries/${'0'.repeat(16)}${'ab'.repeat(32)}`), 400);
  });

  it('GET /api/v1/log/entries?logIndex: the entry; out of range 404; missing or negative 422', async () => {
    const r = await call('GET', '/api/v1/log/entries?logIndex=2');
    assert.equal(r.status, 200);
    const [key, e] = only(r.json);
    assert.equal(key, created[2]!.id);
    assertLogEntryAnon(e, logId);
    assert.equal((await call('GET', '/api/v1/log/entries?logIndex=3')).status, 404);
    assert.equal((await call('GET', '/api/v1/log/entries?logIndex=999999')).status, 404);
    const missing = await call('GET', '/api/v1/log/entries');
    assertError(missing, 422);
    assert.equal(missing.json.message, 'logIndex in query is required');
    assertError(await call('GET', '/api/v1/log/entries?logIndex=-1'), 422);
    assertError(await call('GET', '/api/v1/log/entries?logIndex=x'), 422);
  });

  it('POST /api/v1/log/entries/retrieve: an array of LogEntry; misses are skipped; Rekor order', async () => {
    const byIndex = await call('POST', '/api/v1/log/entries/retrieve', { logIndexes: [2, 0, 99] });
    assert.equal(byIndex.status, 200);
    assert.ok(Array.isArray(byIndex.json));
    assert.deepEqual(
      byIndex.json.map((e: Json) => only(e)[0]),
      [created[2]!.id, created[0]!.id],
    );
    const mixed = await call('POST', '/api/v1/log/entries/retrieve', {
      logIndexes: [0],
      entries: [proposed[2]],
      entryUUIDs: [created[1]!.id.slice(16), created[0]!.id, 'cd'.repeat(32)],
    });
    assert.equal(mixed.status, 200, mixed.text);
    // Rekor: 80-hex entry IDs, then 64-hex UUIDs and proposed entries, then log indexes.
    assert.deepEqual(
      mixed.json.map((e: Json) => only(e)[0]),
      [created[0]!.id, created[1]!.id, created[2]!.id, created[0]!.id],
    );
    for (const e of mixed.json as Json[]) assertLogEntryAnon(only(e)[1], logId);
    const none = await call('POST', '/api/v1/log/entries/retrieve', {});
    assert.equal(none.status, 200);
    assert.deepEqual(none.json, []);
    assertError(await call('POST', '/api/v1/log/entries/retrieve', { logIndexes: Array(11).fill(0) }), 422);
    assertError(await call('POST', '/api/v1/log/entries/retrieve', { logIndexes: [-1] }), 422);
    assertError(await call('POST', '/api/v1/log/entries/retrieve', { entryUUIDs: ['xyz'] }), 422);
    assertError(await call('POST', '/api/v1/log/entries/retrieve', { entryUUIDs: ['0'.repeat(80)] }), 400);
  });

  it('POST /api/v1/index/retrieve: an array of 80-hex entry ID strings, by sha256:, bare or upper-case hash', async () => {
    const digest = proposed[1]!.spec.data.hash.value;
    for (const hash of [`sha256:${digest}`, digest, digest.toUpperCase()]) {
      const r = await call('POST', '/api/v1/index/retrieve', { hash });
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json, [created[1]!.id]);
    }
    const byKey = await call('POST', '/api/v1/index/retrieve', {
      publicKey: { format: 'x509', content: Buffer.from(signer.pem).toString('base64') },
    });
    assert.deepEqual([...byKey.json].sort(), created.map((c) => c.id).sort());
    const both = await call('POST', '/api/v1/index/retrieve', {
      hash: digest,
      publicKey: { format: 'x509', content: Buffer.from(signer.pem).toString('base64') },
      operator: 'and',
    });
    assert.deepEqual(both.json, [created[1]!.id]);
    const empty = await call('POST', '/api/v1/index/retrieve', {});
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json, []);
    const unknown = await call('POST', '/api/v1/index/retrieve', { hash: 'ef'.repeat(32) });
    assert.deepEqual(unknown.json, []);
    assertError(await call('POST', '/api/v1/index/retrieve', { hash: digest, operator: 'xor' }), 422);
    assertError(await call('POST', '/api/v1/index/retrieve', { hash: 'sha256:xyz' }), 422);
  });

  it('GET /api/v1/log/proof: ConsistencyProof {rootHash, hashes}; firstSize defaults to 1; errors 400/422', async () => {
    const r = await call('GET', '/api/v1/log/proof?firstSize=1&lastSize=3');
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.json).sort(), ['hashes', 'rootHash']);
    assert.match(r.json.rootHash, HEX64);
    for (const h of r.json.hashes) assert.match(h, HEX64);
    assert.deepEqual((await call('GET', '/api/v1/log/proof?lastSize=3')).json, r.json);
    assert.deepEqual((await call('GET', `/api/v1/log/proof?lastSize=3&treeID=${treeId}`)).json, r.json);
    assert.deepEqual((await call('GET', '/api/v1/log/proof?firstSize=3&lastSize=3')).json.hashes, []);
    const reversed = await call('GET', '/api/v1/log/proof?firstSize=3&lastSize=2');
    assertError(reversed, 400);
    assert.equal(reversed.json.message, 'firstSize(3) must be less than lastSize(2)');
    const beyond = await call('GET', '/api/v1/log/proof?firstSize=1&lastSize=4');
    assertError(beyond, 400);
    assert.equal(beyond.json.message, 'the tree size requested(4) was greater than what is currently observable(3)');
    assertError(await call('GET', '/api/v1/log/proof'), 422);
    assertError(await call('GET', '/api/v1/log/proof?firstSize=0&lastSize=2'), 422);
  });

  it('bad proposed entries: 422 at binding, 400 in validation, 415 for non-JSON; GETs are not cached', async () => {
    assertError(await call('POST', '/api/v1/log/entries', '{not json'), 400);
    assertError(await call('POST', '/api/v1/log/entries', JSON.stringify(proposed[0]), 'text/plain'), 415);
    // go-openapi's ProposedEntry binding: 422; the kind's own validation: 400.
    assertError(await call('POST', '/api/v1/log/entries', { kind: 'nope', apiVersion: '0.0.1', spec: {} }), 422);
    assertError(await call('POST', '/api/v1/log/entries', { apiVersion: '0.0.1', spec: {} }), 422);
    assertError(await call('POST', '/api/v1/log/entries', { kind: 'hashedrekord', apiVersion: 'x', spec: {} }), 422);
    assertError(await call('POST', '/api/v1/log/entries', { kind: 'hashedrekord', apiVersion: '0.0.1' }), 422);
    assertError(
      await call('POST', '/api/v1/log/entries', { kind: 'hashedrekord', apiVersion: '9.9.9', spec: {} }),
      400,
    );
    assertError(
      await call('POST', '/api/v1/log/entries', { kind: 'hashedrekord', apiVersion: '0.0.1', spec: {} }),
      400,
    );
    const r = await fetch(`${stack.url}/api/v1/log`);
    assert.match(r.headers.get('cache-control') ?? '', /no-cache/);
  });
});
