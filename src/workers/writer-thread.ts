import { parentPort, Worker } from 'node:worker_threads';

/**
 * A database write connection on its own thread, so a commit (with its fsync) runs while the main thread keeps
 * answering requests. Messages: `{id, ...message}` or `{id, close}` in, `{id, error?, code?}` out; the SQLite or
 * errno code travels with the error, so a full disk is still told apart from a bug.
 */
export interface WriterThread<M extends object> {
  write(message: M, transfer?: ArrayBuffer[]): Promise<void>;
  close(): Promise<void>;
}

/** Starts `script` (which calls serveWrites) with `workerData`; a dead thread fails every pending and later write. */
export function startWriterThread<M extends object>(script: URL, workerData: unknown, name: string): WriterThread<M> {
  let dead: Error | undefined;
  const worker = new Worker(script, { workerData });
  // Referenced only while a commit is outstanding, so an idle store never keeps the process alive.
  worker.unref();
  const waiting = new Map<number, { resolve(): void; reject(e: Error): void }>();
  let next = 0;
  const failAll = (e: Error) => {
    dead ??= e;
    for (const w of waiting.values()) w.reject(e);
    waiting.clear();
    worker.unref();
  };
  worker.on('message', (m: { id: number; error?: string; code?: string }) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (waiting.size === 0) worker.unref();
    if (m.error === undefined) w?.resolve();
    else w?.reject(Object.assign(new Error(m.error), m.code ? { code: m.code } : {}));
  });
  worker.on('error', failAll);
  worker.on('exit', () => failAll(new Error(`${name} exited`)));
  const call = (msg: object, transfer: ArrayBuffer[] = []) =>
    new Promise<void>((resolve, reject) => {
      if (dead) return reject(dead);
      const id = next++;
      waiting.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, ...msg }, transfer);
    });
  return {
    write: (message, transfer) => call(message, transfer),
    close: async () => {
      await call({ close: true }).catch(() => undefined);
      await worker.terminate();
    },
  };
}

/** The thread's side: `write` each message (synchronously, one at a time); `close` before the thread ends. */
export function serveWrites<M extends object>(write: (message: M) => void, close: () => void): void {
  parentPort!.on('message', (msg: M & { id: number; close?: true }) => {
    if (msg.close) {
      close();
      parentPort!.postMessage({ id: msg.id });
      parentPort!.close();
      return;
    }
    try {
      write(msg);
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
}
