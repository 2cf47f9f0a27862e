/**
 * The SQLite write connection on its own thread: a batch commit (with its fsync) runs here while the main thread
 * keeps verifying and answering requests. Messages: `{id, batch}` in, `{id, error?}` out.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Batch } from './store.js';
import { batchWriter, openDatabase } from './sqlite-schema.js';

const db = openDatabase((workerData as { path: string }).path);
const write = batchWriter(db);

parentPort!.on('message', (msg: { id: number; batch?: Batch; close?: true }) => {
  if (msg.close) {
    db.close();
    parentPort!.postMessage({ id: msg.id });
    parentPort!.close();
    return;
  }
  try {
    write(revive(msg.batch!));
    parentPort!.postMessage({ id: msg.id });
  } catch (e) {
    parentPort!.postMessage({ id: msg.id, error: e instanceof Error ? e.message : String(e) });
  }
});

/** Structured clone turns Buffers into Uint8Arrays; better-sqlite3 binds both as BLOBs, so only shape matters. */
function revive(b: Batch): Batch {
  return b;
}
