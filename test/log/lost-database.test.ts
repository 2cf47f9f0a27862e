import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import pg from 'pg';
import { pino } from 'pino';
import { createLogService, LOG_DB_FILE, LOG_KEY_FILE } from '../../src/log/index.js';
import { requireOrSkip } from '../helpers/env.js';
import { hashedRekordSigner } from './server/fixtures.js';
import { PG_URL, pgReachable, testSchema } from './tiles/pg-env.js';

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function dataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'signet-lost-db-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const context = (dir: string, databaseUrl?: string) => ({
  dataDir: dir,
  publicUrl: 'http://lost.test',
  logger: pino({ level: 'silent' }),
  ...(databaseUrl ? { databaseUrl } : {}),
});

const REFUSAL = /restore the database, or remove the key to start a new log under a new key/;

test('a kept log key whose SQLite database is gone refuses to start a new tree under it', async () => {
  const ctx = context(dataDir());
  const first = await createLogService(ctx);
  await first.close();
  const again = await createLogService(ctx); // key and database both there: reopens
  await again.close();
  rmSync(join(ctx.dataDir, LOG_DB_FILE));
  await assert.rejects(createLogService(ctx), /database log\.db does not: restore the database, or remove the key/);
});

test('a kept log key whose SQLite database holds no log (an emptied file) refuses too', async () => {
  const ctx = context(dataDir());
  await (await createLogService(ctx)).close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(join(ctx.dataDir, LOG_DB_FILE + suffix), { force: true });
  writeFileSync(join(ctx.dataDir, LOG_DB_FILE), ''); // an empty file is an empty SQLite database
  await assert.rejects(createLogService(ctx), /database log\.db holds no log: restore the database/);
  // Removing the key is the way to start a new log (under a new key).
  rmSync(join(ctx.dataDir, LOG_KEY_FILE));
  await (await createLogService(ctx)).close();
});

const reachable = await pgReachable();

test('PostgreSQL: a kept log key meeting a wiped or emptied database refuses to start a new tree', async (t) => {
  if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
  const s = testSchema('signet_lostdb');
  cleanups.push(s.drop);
  const a = context(dataDir(), s.url);
  const first = await createLogService(a);
  const treeId = first.log.treeId;
  await first.log.add(hashedRekordSigner().entry());
  await first.close();

  // A restart, and a second frontend given a copy of the key (docs/scale.md), both find the log.
  const b = context(dataDir(), s.url);
  mkdirSync(b.dataDir, { recursive: true });
  copyFileSync(join(a.dataDir, LOG_KEY_FILE), join(b.dataDir, LOG_KEY_FILE));
  for (const ctx of [a, b]) {
    const again = await createLogService(ctx);
    assert.equal(again.log.treeId, treeId);
    assert.equal(again.log.info().head.size, 1);
    await again.close();
  }

  // The database restored from before the log existed: tables there, no log in them.
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`TRUNCATE "${s.schema}".meta, "${s.schema}".head, "${s.schema}".entries, "${s.schema}".nodes`);
  } finally {
    await admin.end();
  }
  for (const ctx of [a, b]) {
    await assert.rejects(createLogService(ctx), (e: Error) => {
      assert.match(e.message, REFUSAL);
      assert.match(e.message, new RegExp(`PostgreSQL database holds no log \\(schema "${s.schema}"\\)`));
      return true;
    });
  }

  // The schema dropped altogether (a new, empty database).
  await s.drop();
  await assert.rejects(createLogService(a), REFUSAL);
  await assert.rejects(createLogService(b), REFUSAL);

  // A refusal creates nothing: a new data dir (so a new key) then starts a new log in the same schema.
  const fresh = context(dataDir(), s.url);
  const other = await createLogService(fresh);
  assert.notEqual(other.log.treeId, treeId);
  assert.equal(other.log.info().head.size, 0);
  await other.close();
});
