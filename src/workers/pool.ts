import { Worker } from 'node:worker_threads';
import { SignetError, type ErrorCode } from '../errors.js';
import { owned } from './message.js';

/** A CPU-bound task run on worker threads: `run(input)` resolves with the worker's answer, revived. */
export interface TaskPool<In, Out> {
  /** `urgent` tasks go ahead of the tasks a thread has not started yet. */
  run(input: In, options?: { urgent?: boolean }): Promise<Out>;
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

/** What crosses to a worker: the tasks queued on this thread since its last message. */
export interface TaskBatch<In> {
  tasks: Array<{ id: number; input: In; urgent?: true }>;
}

export interface TaskReply<Out> {
  id: number;
  out?: Out;
  error?: TaskError;
}

/** A failed task's error as it crosses threads: a SignetError's code, or a client error's HTTP status. */
export type TaskError =
  | { code: ErrorCode; message: string; detail: Record<string, string> }
  | { statusCode: number; errorCode: string; message: string };

/** What crosses back: the answers the worker finished since its last message. */
export interface ReplyBatch<Out> {
  replies: Array<TaskReply<Out>>;
}

/**
 * Runs a task on `threads` worker threads, each request going to the least busy one, so the event loop keeps
 * parsing requests and signing checkpoints meanwhile. SignetErrors cross the thread boundary with their code
 * (a 400 stays a 400), and client errors with their status (a 422 stays a 422). With 0 threads, or when running
 * from the TypeScript sources (workers cannot load .ts), tasks run inline.
 *
 * Tasks queued in one turn of the event loop travel in one message per thread (sent from setImmediate, after the
 * I/O phase that parsed the requests), and a thread answers several at once: a message costs a wake-up of the other
 * thread and a serialization pass whatever it carries, so a request per message was most of the cost of crossing.
 */
export function createTaskPool<In, Out>(o: TaskPoolOptions<In, Out>): TaskPool<In, Out> {
  const inline = async (input: In) => o.inline(input);
  if (o.threads <= 0 || !o.workerUrl.href.endsWith('.js')) return { run: inline, close: async () => {} };
  const revive = o.revive ?? ((x: Out) => x);
  const workers = Array.from({ length: o.threads }, () => startWorker(o.workerUrl, inline, revive));
  return {
    run: (input, options) =>
      workers.reduce((a, b) => (b.outstanding() < a.outstanding() ? b : a)).run(input, options?.urgent === true),
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

interface Waiter<Out> {
  resolve(o: Out): void;
  reject(e: unknown): void;
}

function startWorker<In, Out>(url: URL, inline: (input: In) => Promise<Out>, revive: (out: Out) => Out) {
  const worker = new Worker(url);
  worker.unref();
  const waiting = new Map<number, Waiter<Out>>();
  let outbox: TaskBatch<In>['tasks'] = [];
  let next = 0;
  let dead: Error | undefined;
  const failAll = (e: Error) => {
    dead ??= e;
    for (const w of waiting.values()) w.reject(new SignetError('internal', 'a worker thread failed', { cause: e }));
    waiting.clear();
    outbox = [];
  };
  const flush = () => {
    const tasks = outbox;
    outbox = [];
    if (dead || tasks.length === 0) return;
    worker.postMessage({ tasks } satisfies TaskBatch<In>);
  };
  worker.on('message', (m: ReplyBatch<Out>) => {
    for (const r of m.replies) {
      const w = waiting.get(r.id);
      waiting.delete(r.id);
      if (!w) continue;
      if (r.error) w.reject(reviveError(r.error));
      else w.resolve(revive(r.out as Out));
    }
    if (waiting.size === 0) worker.unref();
  });
  worker.on('error', failAll);
  worker.on('exit', () => failAll(new Error('a worker thread exited')));
  return {
    outstanding: () => (dead ? Number.POSITIVE_INFINITY : waiting.size),
    run: (input: In, urgent: boolean) =>
      new Promise<Out>((resolve, reject) => {
        // A dead thread: run inline rather than fail the request.
        if (dead) return void inline(input).then(resolve, reject);
        const id = next++;
        waiting.set(id, { resolve, reject });
        worker.ref();
        // Views into a larger buffer become exact copies here, while the caller's bytes are known to be unchanged.
        outbox.push(urgent ? { id, input: owned(input), urgent } : { id, input: owned(input) });
        if (outbox.length === 1) setImmediate(flush);
      }),
    close: () => worker.terminate(),
  };
}

function reviveError(e: TaskError): Error {
  if ('code' in e) return new SignetError(e.code, e.message, { detail: e.detail });
  return Object.assign(new Error(e.message), { statusCode: e.statusCode, code: e.errorCode });
}

/** Buffer view of a Uint8Array that crossed a thread boundary (no copy). */
export function asBuffer(u: Uint8Array): Buffer {
  return Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
