import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { createLogService, type LogService } from '../../../src/log/index.js';
import { buildServer } from '../../../src/stack/server.js';
import { requireOrSkip } from '../../helpers/env.js';
import { tempDir } from '../../helpers/process.js';
import { hashedRekordSigner, oracleLeafHash, oracleRoot } from '../server/fixtures.js';
import { pgReachable, testSchema } from './pg-env.js';
import { rmSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';

const reachable = await pgReachable();
const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function start(kind: 'sqlite' | 'postgres', witnesses: string[] = [], checkpointIntervalMs = 20) {
  const dataDir = tempDir('signet-tiles-');
  const logger = pino({ level: 'silent' });
  let databaseUrl: string | undefined;
  if (kind === 'postgres') {
    const s = testSchema();
    cleanups.push(s.drop);
    databaseUrl = s.url;
  }
  const service: LogService = await createLogService(
    { dataDir, publicUrl: 'http://log.test:3000', logger, databaseUrl },
    { checkpointIntervalMs, witnesses },
  );
  const app: FastifyInstance = await buildServer({ services: [service], logger });
  await app.ready();
  cleanups.push(async () => {
    await app.close();
    await service.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { app, service };
}

/** An independent C2SP tlog-tiles reader: only GETs of /checkpoint and /tile/..., its own path and proof code. */
class TileReader {
  constructor(readonly app: FastifyInstance) {}

  async get(url: string) {
    const r = await this.app.inject({ method: 'GET', url });
    return { status: r.statusCode, body: r.rawPayload, headers: r.headers };
  }

  async checkpoint(): Promise<{ size: number; root: Buffer; note: string }> {
    const r = await this.get('/checkpoint');
    assert.equal(r.status, 200);
    const note = r.body.toString();
    const [, size, root] = note.split('\n');
    return { size: Number(size), root: Buffer.from(root!, 'base64'), note };
  }

  static index(n: number): string {
    const s = String(n).padStart(Math.ceil(String(n).length / 3) * 3, '0');
    const g = s.match(/.{3}/g)!;
    return g.map((x, i) => (i < g.length - 1 ? `x${x}` : x)).join('/');
  }

  /** Level-0 hashes 0..size-1 from tiles, and the entry bodies from bundles. */
  async leaves(size: number): Promise<{ hashes: Buffer[]; bodies: Buffer[] }> {
    const hashes: Buffer[] = [];
    const bodies: Buffer[] = [];
    for (let n = 0; n * 256 < size; n++) {
      const w = Math.min(256, size - n * 256);
      const suffix = w === 256 ? '' : `.p/${w}`;
      const t = await this.get(`/tile/0/${TileReader.index(n)}${suffix}`);
      assert.equal(t.status, 200);
      assert.equal(t.body.length, w * 32);
      assert.match(String(t.headers['cache-control']), w === 256 ? /immutable/ : /max-age=1$/);
      for (let i = 0; i < w; i++) hashes.push(t.body.subarray(i * 32, i * 32 + 32));
      const b = await this.get(`/tile/entries/${TileReader.index(n)}${suffix}`);
      assert.equal(b.status, 200);
      for (let off = 0; off < b.body.length;) {
        const len = b.body.readUInt16BE(off);
        bodies.push(b.body.subarray(off + 2, off + 2 + len));
        off += 2 + len;
      }
    }
    return { hashes, bodies };
  }
}

/** RFC 6962 PATH(m, D[n]) over leaf hashes, leaf sibling first. */
function oraclePath(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  if (m < k) return [...oraclePath(m, leaves.slice(0, k)), oracleRoot(leaves.slice(k))];
  return [...oraclePath(m - k, leaves.slice(k)), oracleRoot(leaves.slice(0, k))];
}

async function addEntries(app: FastifyInstance, n: number) {
  const signer = hashedRekordSigner();
  for (let done = 0; done < n; done += 100) {
    const batch = Array.from({ length: Math.min(100, n - done) }, () =>
      app.inject({ method: 'POST', url: '/api/v1/log/entries', payload: signer.entry() }),
    );
    for (const r of await Promise.all(batch)) assert.equal(r.statusCode, 201, r.body);
  }
}

async function publishedSize(reader: TileReader, size: number) {
  for (;;) {
    const c = await reader.checkpoint();
    if (c.size >= size) return c;
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const kind of ['sqlite', 'postgres'] as const) {
  describe(`tlog-tiles read API (${kind})`, () => {
    it('a tiles-only reader rebuilds the checkpoint root and every inclusion proof the API returns', async (t) => {
      if (kind === 'postgres' && !requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
      const { app } = await start(kind);
      await addEntries(app, 600);
      const reader = new TileReader(app);
      const cp = await publishedSize(reader, 600);
      assert.equal(cp.size, 600);
      const { hashes, bodies } = await reader.leaves(cp.size);
      assert.equal(hashes.length, 600);
      bodies.forEach((b, i) => assert.deepEqual(oracleLeafHash(b), hashes[i], `bundle entry ${i}`));
      assert.deepEqual(oracleRoot(hashes), cp.root);
      const again = await reader.get('/tile/0/001'); // a cached full tile reads back the same
      assert.deepEqual(again.body, Buffer.concat(hashes.slice(256, 512)));
      // Level-1 partial of width 2: the roots of the two full level-0 tiles.
      const l1 = await reader.get('/tile/1/000.p/2');
      assert.equal(l1.status, 200);
      assert.deepEqual(l1.body.subarray(0, 32), oracleRoot(hashes.slice(0, 256)));
      assert.deepEqual(l1.body.subarray(32, 64), oracleRoot(hashes.slice(256, 512)));
      for (const i of [0, 1, 255, 256, 511, 599]) {
        const r = await app.inject({ method: 'GET', url: `/api/v1/log/entries?logIndex=${i}` });
        const proof = (Object.values(r.json())[0] as any).verification.inclusionProof;
        const mine = oraclePath(i, hashes.slice(0, proof.treeSize));
        assert.deepEqual(
          proof.hashes,
          mine.map((h) => h.toString('hex')),
          `proof of ${i}`,
        );
        assert.equal(proof.rootHash, oracleRoot(hashes.slice(0, proof.treeSize)).toString('hex'));
      }
    });

    it('404 beyond the tree, 400 for non-canonical paths, smaller partials stay served', async (t) => {
      if (kind === 'postgres' && !requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
      const { app } = await start(kind);
      await addEntries(app, 10);
      const reader = new TileReader(app);
      await publishedSize(reader, 10);
      assert.equal((await reader.get('/tile/0/000')).status, 404, 'full tile of a 10-entry tree');
      assert.equal((await reader.get('/tile/0/000.p/11')).status, 404);
      assert.equal((await reader.get('/tile/0/001.p/1')).status, 404);
      assert.equal((await reader.get('/tile/1/000.p/1')).status, 404);
      assert.equal((await reader.get('/tile/0/000.p/4')).status, 200, 'a partial for an earlier size');
      assert.equal((await reader.get('/tile/entries/000.p/10')).status, 200);
      for (const bad of [
        '/tile/0/0',
        '/tile/0/000.p/0',
        '/tile/0/000.p/256',
        '/tile/01/000',
        '/tile/64/000',
        '/tile/0/x000/001',
        '/tile/0/000.p/',
        '/tile/entries/abc',
        '/tile/0/000/',
        '/tile/-1/000',
      ]) {
        const r = await reader.get(bad);
        assert.equal(r.status, 400, bad);
        assert.equal(typeof JSON.parse(r.body.toString()).message, 'string');
      }
    });
  });
}

describe('witness cosignatures on the published checkpoint', () => {
  const witness = generateKeyPairSync('ed25519');

  it('serves a stable checkpoint, accepts a configured witness cosignature and shows it', async () => {
    const { cosignatureV1Signer, cosignatureV1Verifier, formatVerifierKey, openNote, rekorNoteVerifier, parseNote } =
      await import('../../../src/note/index.js');
    const vkey = formatVerifierKey('witness.example/w1', witness.publicKey, 0x04);
    const { app, service } = await start('sqlite', [vkey], 3_600_000);
    const reader = new TileReader(app);
    const first = await reader.checkpoint();
    await addEntries(app, 3);
    assert.equal((await reader.checkpoint()).note, first.note, 'stable until the next publication');
    const text = parseNote(first.note).text;
    const signer = cosignatureV1Signer('witness.example/w1', witness.privateKey);
    const line = `— witness.example/w1 ${Buffer.concat([u32(signer.keyHash), signer.sign(Buffer.from(text))]).toString('base64')}\n`;
    const r = await app.inject({
      method: 'POST',
      url: '/witness/cosign',
      payload: line,
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(r.statusCode, 200, r.body);
    const served = (await reader.checkpoint()).note;
    assert.ok(served.endsWith(line));
    const logKey = service.log.identity.publicKey;
    const hostname = 'log.test';
    const opened = openNote(served, [
      rekorNoteVerifier(hostname, logKey),
      cosignatureV1Verifier('witness.example/w1', witness.publicKey),
    ]);
    assert.equal(opened.signatures.filter((s) => s.verified).length, 2);

    const other = generateKeyPairSync('ed25519');
    const stranger = cosignatureV1Signer('witness.example/w2', other.privateKey);
    const bad = `— witness.example/w2 ${Buffer.concat([u32(stranger.keyHash), stranger.sign(Buffer.from(text))]).toString('base64')}\n`;
    const r2 = await app.inject({
      method: 'POST',
      url: '/witness/cosign',
      payload: bad,
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(r2.statusCode, 403);
    const wrongText = signer.sign(Buffer.from(text.replace(/\n0\n/, '\n1\n')));
    const r3 = await app.inject({
      method: 'POST',
      url: '/witness/cosign',
      payload: `— witness.example/w1 ${Buffer.concat([u32(signer.keyHash), wrongText]).toString('base64')}\n`,
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(r3.statusCode, 403);
    for (const garbage of ['', 'hello', '— x !!!\n', '\u0000']) {
      const g = await app.inject({
        method: 'POST',
        url: '/witness/cosign',
        payload: garbage,
        headers: { 'content-type': 'text/plain' },
      });
      assert.ok(g.statusCode === 400 || g.statusCode === 403, `${JSON.stringify(garbage)} -> ${g.statusCode}`);
    }
    const json = await app.inject({ method: 'POST', url: '/witness/cosign', payload: { a: 1 } });
    assert.equal(json.statusCode, 415);
  });
});

describe('witness cosignatures on PostgreSQL: shared by frontends, kept across a restart', () => {
  it('a cosignature posted to one frontend is served by the other and by a restarted one', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const { cosignatureV1Signer, cosignatureV1Verifier, formatVerifierKey, openNote, parseNote } =
      await import('../../../src/note/index.js');
    const witness = generateKeyPairSync('ed25519');
    const vkey = formatVerifierKey('witness.example/w1', witness.publicKey, 0x04);
    const dataDir = tempDir('signet-cosig-pg-');
    const s = testSchema();
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    cleanups.push(s.drop);
    const logger = pino({ level: 'silent' });
    // Frontends share the key (data dir) and the database, as a deployment behind a load balancer does.
    const frontend = async () => {
      const service = await createLogService(
        { dataDir, publicUrl: 'http://log.test:3000', logger, databaseUrl: s.url },
        // Each frontend re-reads the stored cosignatures at every publication; no entries are added, so the tree
        // (and the text the witness signed) stays the same.
        { checkpointIntervalMs: 100, witnesses: [vkey] },
      );
      const app = await buildServer({ services: [service], logger });
      await app.ready();
      let closed = false;
      const close = async () => {
        if (closed) return;
        closed = true;
        await app.close();
        await service.close();
      };
      cleanups.push(close);
      return { app, close };
    };
    const a = await frontend();
    const b = await frontend();
    const text = parseNote((await new TileReader(a.app).checkpoint()).note).text;
    assert.equal(parseNote((await new TileReader(b.app).checkpoint()).note).text, text, 'one published tree');
    const signer = cosignatureV1Signer('witness.example/w1', witness.privateKey);
    const line = `— witness.example/w1 ${Buffer.concat([u32(signer.keyHash), signer.sign(Buffer.from(text))]).toString('base64')}\n`;
    const r = await a.app.inject({
      method: 'POST',
      url: '/witness/cosign',
      payload: line,
      headers: { 'content-type': 'text/plain' },
    });
    assert.equal(r.statusCode, 200, r.body);
    const verifier = cosignatureV1Verifier('witness.example/w1', witness.publicKey);
    // openNote throws when no signature verifies, i.e. when the witness line is missing.
    const cosigned = (note: string) => {
      try {
        return openNote(note, [verifier]).signatures.some((x) => x.verified);
      } catch {
        return false;
      }
    };
    const deadline = Date.now() + 10_000;
    while (!cosigned((await new TileReader(b.app).checkpoint()).note)) {
      assert.ok(Date.now() < deadline, 'the other frontend serves it by its next publication');
      await new Promise((r) => setTimeout(r, 50));
    }
    await a.close();
    const again = await frontend();
    assert.ok(cosigned((await new TileReader(again.app).checkpoint()).note), 'a restarted frontend serves it');
  });
});

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
