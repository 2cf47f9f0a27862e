/**
 * The SQLite write connection on its own thread: a batch commit (with its fsync) runs here while the main thread
 * keeps verifying and answering requests. Messages: `{packed}` (sqlite-batch.ts), carried by
 * src/workers/writer-thread.ts.
 */
import { workerData } from 'node:worker_threads';
import { serveWrites } from '../../workers/index.js';
import { unpackBatch, type PackedBatch } from './sqlite-batch.js';
import { batchWriter, openDatabase } from './sqlite-schema.js';

const db = openDatabase((workerData as { path: string }).path);
const write = batchWriter(db);

serveWrites<{ packed: PackedBatch }>(
  (msg) => write(unpackBatch(msg.packed)),
  () => db.close(),
);
