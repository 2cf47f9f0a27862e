/**
 * The SQLite write connection on its own thread: a batch commit (with its fsync) runs here while the main thread
 * keeps verifying and answering requests. Messages: `{id, packed}` in (sqlite-batch.ts), `{id, error?, code?}` out (the SQLite or
 * errno code travels with the message, so a full disk is still told apart from a bug).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { unpackBatch, type PackedBatch } from './sqlite-batch.js';
import { batchWriter, openDatabase } from './sqlite-schema.js';

const db = openDatabase((workerData as { path: string }).path);
const write = batchWriter(db);

parentPort!.on('message', (msg: { id: number; packed?: PackedBatch; close?: true }) => {
  if (msg.close) {
    db.close();
    parentPort!.postMessage({ id: msg.id });
    parentPort!.close();
    return;
  }
  try {
    write(unpackBatch(msg.packed!));
    parentPort!.postMessage({ id: msg.id });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    parentPort!.postMessage({
      id: msg.id,
      error: e instanceof Error ? e.message : String(e),
      ...(typeof code === 'string' ? { code } : {}),
    });
  }
});
