import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pino } from 'pino';
import { createLogService, LOG_DB_FILE } from '../../src/log/index.js';

test('a kept log key whose SQLite database is gone refuses to start a new tree under it', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-lost-db-'));
  const ctx = { dataDir, publicUrl: 'http://lost.test', logger: pino({ level: 'silent' }) };
  try {
    const first = await createLogService(ctx);
    await first.close();
    const again = await createLogService(ctx); // key and database both there: reopens
    await again.close();
    rmSync(join(dataDir, LOG_DB_FILE));
    await assert.rejects(createLogService(ctx), /database log\.db does not: restore the database, or remove the key/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
