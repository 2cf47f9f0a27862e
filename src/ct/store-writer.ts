/**
 * The CT log's SQLite write connection on its own thread: a batch commit (with its fsync) runs here while the main
 * thread keeps issuing certificates. Messages: `{id, rows}` or `{id, close}` in, `{id, error?, code?}` out (the
 * SQLite or errno code travels with the message, so a full disk is still told apart from a bug).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ctBatchWriter, openCtDatabase, type CtRow } from './store-schema.js';

const db = openCtDatabase((workerData as { path: string }).path);
const write = ctBatchWriter(db);

parentPort!.on('message', (msg: { id: number; rows?: CtRow[]; close?: true }) => {
  if (msg.close) {
    db.close();
    parentPort!.postMessage({ id: msg.id });
    parentPort!.close();
    return;
  }
  try {
    write(msg.rows!);
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
