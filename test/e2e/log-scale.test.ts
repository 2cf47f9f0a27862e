import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { createServer, Socket, type Server } from 'node:net';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createLogService, type LogService, type LogServiceOptions } from '../../src/log/index.js';
import { buildServer } from '../../src/stack/server.js';
import { requireOrSkip } from '../helpers/env.js';
import { freePort, tempDir } from '../helpers/process.js';
import { hashedRekordSigner } from '../log/server/fixtures.js';
import { auditLog, post, type Outcome } from '../log/tiles/audit.js';
import { PG_URL, pgReachable, testSchema } from '../log/tiles/pg-env.js';

const reachable = await pgReachable();
const cleanups: Array<() => Promise<unknown> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function listen(dataDir: string, databaseUrl?: string, options: LogServiceOptions = {}) {
  const logger = pino({ level: 'silent' });
  const service: LogService = await createLogService(
    { dataDir, publicUrl: 'http://log.test', logger, databaseUrl },
    options,
  );
  const app: FastifyInstance = await buildServer({ services: [service], logger });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
    await service.close();
  };
  cleanups.push(close);
  return { url, service, close };
}

/** A TCP proxy in front of PostgreSQL that the test can cut and restore. */
async function pgProxy(target: { host: string; port: number }) {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const up = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = new Socket();
        upstream.connect(target.port, target.host);
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const down = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server!.close(() => resolve());
    });
  await up();
  cleanups.push(() => down().catch(() => undefined));
  return { port, up, down };
}

describe('several frontends on one PostgreSQL', () => {
  it('duplicate submissions racing on two frontends yield one entry and one 409', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const s = testSchema();
    cleanups.push(s.drop);
    const dataDir = tempDir('signet-scale-');
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const a = await listen(dataDir, s.url);
    const b = await listen(dataDir, s.url);
    const signer = hashedRekordSigner();
    const acked: Outcome[] = [];
    for (let i = 0; i < 15; i++) {
      const e = signer.entry();
      const results = await Promise.all([post(a.url, e), post(b.url, e)]);
      assert.deepEqual(
        results.map((r) => r.status).sort(),
        [201, 409],
        JSON.stringify(results.map((r) => [r.status, r.body])),
      );
      const conflict = results.find((r) => r.status === 409)!;
      const created = results.find((r) => r.status === 201)!;
      assert.match(String((conflict.body as { message: string }).message), new RegExp(created.uuid!));
      acked.push(created);
    }
    const { size } = await auditLog(b.url, acked, []);
    assert.equal(size, 15);
    // Both frontends answer reads for every entry, whoever sequenced it.
    for (const o of acked) {
      const r = await fetch(`${a.url}/api/v1/log/entries/${o.uuid}`);
      assert.equal(r.status, 200);
    }
  });

  it('database loss: 503 + Retry-After fast, /readyz 503, /healthz 200; recovers by itself', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const s = testSchema();
    cleanups.push(s.drop);
    const pgUrl = new URL(PG_URL);
    const proxy = await pgProxy({ host: pgUrl.hostname, port: Number(pgUrl.port || 5432) });
    const viaProxy = new URL(s.url);
    viaProxy.port = String(proxy.port);
    const dataDir = tempDir('signet-scale-');
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const a = await listen(dataDir, viaProxy.toString());
    const signer = hashedRekordSigner();
    const first = await post(a.url, signer.entry());
    assert.equal(first.status, 201);

    await proxy.down();
    const failed = await post(a.url, signer.entry());
    assert.equal(failed.status, 503, JSON.stringify(failed.body));
    assert.ok(Number((failed.body as { retryAfter: string }).retryAfter) > 0);
    const read = await fetch(`${a.url}/api/v1/log/entries?logIndex=0`);
    assert.equal(read.status, 503);
    assert.ok(read.headers.get('retry-after'));
    assert.equal((await fetch(`${a.url}/readyz`)).status, 503);
    assert.equal((await fetch(`${a.url}/healthz`)).status, 200);

    await proxy.up();
    let ok: Outcome | undefined;
    for (let i = 0; i < 200 && !ok; i++) {
      const o = await post(a.url, signer.entry());
      if (o.status === 201) ok = o;
      else {
        assert.equal(o.status, 503, JSON.stringify(o.body));
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    assert.ok(ok, 'the frontend recovered once the database came back');
    assert.equal((await fetch(`${a.url}/readyz`)).status, 200);
    await auditLog(a.url, [first, ok], [first.checkpoint!]);
  });
});

describe('SQLite: disk full', () => {
  it('writes fail with 503, reads keep working, the database stays intact (a 2 MiB tmpfs)', async (t) => {
    const dir = tempDir('signet-full-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mnt]).status === 0;
    if (!requireOrSkip(t, mounted, 'mounting a tmpfs (root)')) return;
    cleanups.push(() => void execFileSync('umount', ['-l', mnt]));
    const a = await listen(mnt);
    const signer = hashedRekordSigner();
    const acked: Outcome[] = [];
    let full: Outcome | undefined;
    for (let i = 0; i < 20_000 && !full; i++) {
      const batch = await Promise.all(Array.from({ length: 16 }, () => post(a.url, signer.entry())));
      for (const o of batch) {
        if (o.status === 201) acked.push(o);
        else {
          assert.equal(o.status, 503, JSON.stringify(o.body));
          full = o;
        }
      }
    }
    assert.ok(full, 'the disk filled up');
    assert.ok(Number((full.body as { retryAfter: string }).retryAfter) > 0);
    assert.ok(acked.length > 100, `${acked.length} entries fit`);
    // Reads keep working while full, and every acknowledged entry is there with a valid proof.
    await auditLog(
      a.url,
      acked,
      acked.map((o) => o.checkpoint!),
    );
    await a.close();
    const db = new Database(join(mnt, 'log.db'));
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
    // Restart on the full disk: it opens (the stored root matches its nodes) and still serves reads.
    const b = await listen(mnt);
    await auditLog(b.url, acked, []);
  });
});
