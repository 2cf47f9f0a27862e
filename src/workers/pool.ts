import { Worker } from 'node:worker_threads';
import { SignetError, type ErrorCode } from '../errors.js';
import { owned } from './message.js';

/** A CPU-bound task run on worker threads: `run(input)` resolves with the worker's answer, revived. */
export interface TaskPool<In, Out> {
  run(input: In): Promise<Out>;
  close(): Promise<void>;
}

export interface TaskPoolOptions<In, Out> {
  threads: number;
  /** The worker script (compiled .js) that calls `serveTasks` with the same function as `inline`. */
  workerUrl: URL;
  /** The same task on the calling thread: with 0 threads, from TypeScript sources, or after a thread died. */
  inline: (input: In) => Out | Promise<Out>;
  /** Structured clone turns Buffers into Uint8Arrays: give the answer its Buffers back. */
  revive?: (out: Out) => Out;
}

export interface TaskReply<Out> {
  id: number;
  out?: Out;
  error?: { code: ErrorCode; message: string; detail: Record<string, string> };
}

/**
 * Runs a task on `threads` worker threads, each request going to the least busy one, so the event loop keeps
 * parsing requests and signing checkpoints meanwhile. SignetErrors cross the thread boundary with their code
 * (a 400 stays a 400). With 0 threads, or when running from the TypeScript sources (workers cannot load .ts),
 * tasks run inline.
 */
export function createTaskPool<In, Out>(o: TaskPoolOptions<In, Out>): TaskPool<In, Out> {
  const inline = async (input: In) => o.inline(input);
  if (o.threads <= 0 || !o.workerUrl.href.endsWith('.js')) return { run: inline, close: async () => {} };
  const revive = o.revive ?? ((x: Out) => x);
  const workers = Array.from({ length: o.threads }, () => startWorker(o.workerUrl, inline, revive));
  return {
    run: (input) => workers.reduce((a, b) => (b.outstanding() < a.outstanding() ? b : a)).run(input),
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

function startWorker<In, Out>(url: URL, inline: (input: In) => Promise<Out>, revive: (out: Out) => Out) {
  const worker = new Worker(url);
  worker.unref();
  const waiting = new Map<number, { resolve(o: Out): void; reject(e: unknown): void }>();
  let next = 0;
  let dead: Error | undefined;
  const failAll = (e: Error) => {
    dead ??= e;
    for (const w of waiting.values()) w.reject(new SignetError('internal', 'a worker thread failed', { cause: e }));
    waiting.clear();
  };
  worker.on('message', (m: TaskReply<Out>) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (waiting.size === 0) worker.unref();
    if (!w) return;
    if (m.error) w.reject(new SignetError(m.error.code, m.error.message, { detail: m.error.detail }));
    else w.resolve(revive(m.out as Out));
  });
  worker.on('error', failAll);
  worker.on('exit', () => failAll(new Error('a worker thread exited')));
  return {
    outstanding: () => (dead ? Number.POSITIVE_INFINITY : waiting.size),
    run: (input: In) =>
      new Promise<Out>((resolve, reject) => {
        // A dead thread: run inline rather than fail the request.
        if (dead) return void inline(input).then(resolve, reject);
        const id = next++;
        waiting.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, input: owned(input) });
      }),
    close: () => worker.terminate(),
  };
}

/** Buffer view of a Uint8Array that crossed a thread boundary (no copy). */
export function asBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
