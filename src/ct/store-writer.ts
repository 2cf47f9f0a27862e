/**
 * The CT log's SQLite write connection on its own thread: a batch commit (with its fsync) runs here while the main
 * thread keeps issuing certificates. Messages: `{rows}` (src/workers/writer-thread.ts carries them).
 */
import { workerData } from 'node:worker_threads';
import { serveWrites } from '../workers/index.js';
import { ctBatchWriter, openCtDatabase, type CtRow } from './store-schema.js';

const db = openCtDatabase((workerData as { path: string }).path);
const write = ctBatchWriter(db);

serveWrites<{ rows: CtRow[] }>(
  (msg) => write(msg.rows),
  () => db.close(),
);
