import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { pino } from 'pino';
import { createLogService, type LogService } from '../../../src/log/index.js';
import { buildServer } from '../../../src/stack/server.js';
import { requireOrSkip } from '../../helpers/env.js';
import { tempDir } from '../../helpers/process.js';
import { hashedRekordSigner } from '../server/fixtures.js';
import { auditLog, post, type Outcome } from '../tiles/audit.js';
import { PG_URL, pgReachable, testSchema } from '../tiles/pg-env.js';

const reachable = await pgReachable();
const cleanups: Array<() => Promise<unknown> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function listen(dataDir: string, databaseUrl: string) {
  const logger = pino({ level: 'silent' });
  const service: LogService = await createLogService({ dataDir, publicUrl: 'http://log.test', logger, databaseUrl });
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
  return { url, close };
}

async function sql(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** The PostgreSQL server runs on this machine (the test database at 127.0.0.1) and the test may mount a tmpfs. */
function localServer(): boolean {
  return /@(127\.0\.0\.1|localhost)[:/]/.test(PG_URL) && spawnSync('id', ['-u']).stdout.toString().trim() === '0';
}

describe('PostgreSQL: disk full', () => {
  it('writes on the sequencer and through a second frontend fail with 503, reads keep working, the tree stays intact, writes resume once space is freed', async (t) => {
    if (!requireOrSkip(t, reachable && localServer(), 'a local PostgreSQL and root (tmpfs tablespace)')) return;
    const dir = tempDir('signet-pgfull-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // The log's tables live on a 3 MiB tmpfs tablespace (PostgreSQL's WAL stays on its own disk, as on a server
    // whose data volume fills up): extending a table fails with SQLSTATE 53100.
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=3m,mode=0700', 'tmpfs', mnt]).status === 0;
    if (!requireOrSkip(t, mounted, 'mounting a tmpfs (root)')) return;
    cleanups.push(() => void execFileSync('umount', ['-l', mnt]));
    execFileSync('chown', ['postgres:postgres', mnt]);
    chmodSync(dir, 0o755); // the postgres user must reach the mount point
    const space = `signet_full_${process.pid}_${Date.now()}`;
    await sql(`CREATE TABLESPACE ${space} LOCATION '${mnt}'`);
    const s = testSchema();
    cleanups.push(async () => {
      await s.drop();
      await sql(`DROP TABLESPACE IF EXISTS ${space}`);
    });
    const a = await listen(tempDir('signet-pgfull-a-'), s.url);
    for (const table of ['entries', 'nodes', 'index_keys', 'pending']) {
      await sql(`ALTER TABLE "${s.schema}".${table} SET TABLESPACE ${space}`);
    }
    await sql(`DO $$ DECLARE i record; BEGIN
      FOR i IN SELECT indexname FROM pg_indexes WHERE schemaname = '${s.schema}'
        AND tablename IN ('entries', 'nodes', 'index_keys', 'pending') LOOP
        EXECUTE format('ALTER INDEX %I.%I SET TABLESPACE ${space}', '${s.schema}', i.indexname);
      END LOOP; END $$`);
    const b = await listen(tempDir('signet-pgfull-b-'), s.url);
    const signer = hashedRekordSigner();
    const acked: Outcome[] = [];
    const refused: Outcome[] = [];
    for (let i = 0; i < 2000 && refused.length === 0; i++) {
      const batch = await Promise.all(
        Array.from({ length: 16 }, (_, k) => post(k % 2 ? b.url : a.url, signer.entry())),
      );
      for (const o of batch) {
        if (o.status === 201) acked.push(o);
        else {
          assert.equal(o.status, 503, JSON.stringify(o.body));
          refused.push(o);
        }
      }
    }
    assert.ok(refused.length > 0, 'the tablespace filled up');
    assert.ok(acked.length > 100, `${acked.length} entries fit`);
    for (const o of refused) assert.ok(Number((o.body as { retryAfter?: string }).retryAfter) > 0);
    // Both frontends keep answering writes with 503 (never 500) while full, whichever path the write takes; space a
    // failed batch left in already extended pages may still take a small entry, so a 201 is allowed too.
    const more = await Promise.all(Array.from({ length: 8 }, (_, k) => post(k % 2 ? b.url : a.url, signer.entry())));
    for (const o of more) {
      assert.ok(o.status === 503 || o.status === 201, JSON.stringify(o.body));
      if (o.status === 201) acked.push(o);
    }
    // Reads keep working, and every acknowledged entry is there with a valid proof, on both frontends.
    const seen = acked.map((o) => o.checkpoint!);
    await auditLog(a.url, acked, seen);
    await auditLog(b.url, acked, seen);
    // Space comes back: writes resume without a restart, and the tree still extends every checkpoint served.
    execFileSync('mount', ['-o', 'remount,size=64m', mnt]);
    let resumed: Outcome | undefined;
    for (let i = 0; i < 100 && resumed?.status !== 201; i++) {
      resumed = await post(i % 2 ? b.url : a.url, signer.entry());
      if (resumed.status !== 201) await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(resumed?.status, 201, JSON.stringify(resumed?.body));
    await auditLog(a.url, [...acked, resumed!], [...seen, resumed!.checkpoint!]);
    await b.close();
    await a.close();
  });
});
