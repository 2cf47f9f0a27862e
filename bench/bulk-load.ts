/**
 * Builds a large log through the real admission path and sequencer (in-process, no HTTP):
 * `npm run build && node dist/bench/bulk-load.js --count 1000000 --data-dir /tmp/big [--database-url postgres://...]`.
 * Entries are hashedrekord 0.0.1 over distinct random artifacts, signed by 16 reused P-256 keys (signing is not timed
 * separately: it happens in the same loop, one chunk ahead). Prints entries/s and bytes per entry on disk.
 * The data dir is a normal `signet log serve --data-dir` (key + log.db), so the read benchmark can serve it.
 */
import { benchKeys, hashedRekordEntry } from './workload.js';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { createLogService } from '../src/log/index.js';
import { PostgresLogStore } from '../src/log/storage/postgres.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    'data-dir': { type: 'string', default: './bulk-log' },
    'database-url': { type: 'string' },
    chunk: { type: 'string', default: '4096' },
  },
});
const COUNT = Number(values.count);
const CHUNK = Number(values.chunk);
const dataDir = values['data-dir']!;
mkdirSync(dataDir, { recursive: true });

const keys = benchKeys(16);

function entry(i: number) {
  return hashedRekordEntry(keys[i % keys.length]!, 32);
}

const logger = pino({ level: 'silent' });
const databaseUrl = values['database-url'];
const service = await createLogService(
  { dataDir, publicUrl: 'http://bulk.test', logger, databaseUrl },
  { maxPending: CHUNK * 2, maxBatch: 1024 },
);
const start0 = service.log.info().head.size;
const t0 = performance.now();
let last = t0;
for (let done = 0; done < COUNT; done += CHUNK) {
  const n = Math.min(CHUNK, COUNT - done);
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => service.log.add(entry(done + i))));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length > 0) throw (failed[0] as PromiseRejectedResult).reason;
  if (performance.now() - last > 10_000) {
    last = performance.now();
    const rate = (done + n) / ((last - t0) / 1000);
    console.error(`  ${done + n} entries, ${rate.toFixed(0)}/s`);
  }
}
const secs = (performance.now() - t0) / 1000;
const size = service.log.info().head.size;
await service.close();
console.log(
  `bulk load: ${COUNT} entries in ${secs.toFixed(1)} s = ${(COUNT / secs).toFixed(0)} entries/s (tree ${start0} -> ${size})`,
);
const bytes = databaseUrl ? await pgBytes(databaseUrl) : dirBytes(dataDir);
console.log(`storage: ${bytes.total} bytes = ${(bytes.total / size).toFixed(0)} bytes/entry (${bytes.detail})`);

function dirBytes(dir: string) {
  const files = readdirSync(dir).filter((f) => f.startsWith('log.db'));
  const sizes = files.map((f) => [f, statSync(join(dir, f)).size] as const);
  return { total: sizes.reduce((a, [, s]) => a + s, 0), detail: sizes.map(([f, s]) => `${f} ${s}`).join(', ') };
}

async function pgBytes(url: string) {
  const store = await PostgresLogStore.open(url);
  const { rows } = await store.pool.query<{ relname: string; total: string; idx: string }>(
    `SELECT c.relname, pg_total_relation_size(c.oid) AS total, pg_indexes_size(c.oid) AS idx
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 2 DESC`,
    [store.target.schema],
  );
  await store.close();
  const total = rows.reduce((a, r) => a + Number(r.total), 0);
  return { total, detail: rows.map((r) => `${r.relname} ${r.total} (indexes ${r.idx})`).join(', ') };
}
