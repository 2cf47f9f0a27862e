import { Worker } from 'node:worker_threads';
import { SignetError, type ErrorCode } from '../errors.js';
import { admitEntry, type AdmittedEntry } from './types/index.js';

export type Admit = (proposed: unknown) => Promise<AdmittedEntry>;

export interface AdmitPool {
  admit: Admit;
  close(): Promise<void>;
}

interface Reply {
  id: number;
  entry?: AdmittedEntry;
  error?: { code: ErrorCode; message: string; detail: Record<string, string> };
}

/**
 * Verifies proposed entries on `threads` worker threads (signature verification is the per-entry CPU cost), so
 * the event loop keeps parsing requests and signing SETs meanwhile. With 0 threads, or when running from the
 * TypeScript sources (workers cannot load .ts), entries are admitted inline.
 */
export function createAdmitPool(threads: number): AdmitPool {
  if (threads <= 0 || !import.meta.url.endsWith('.js')) return { admit: (p) => admitEntry(p), close: async () => {} };
  const workers = Array.from({ length: threads }, () => startWorker());
  return {
    admit: (proposed) => {
      const w = workers.reduce((a, b) => (b.outstanding() < a.outstanding() ? b : a));
      return w.admit(proposed);
    },
    close: async () => {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

function startWorker() {
  const worker = new Worker(new URL('./admit-worker.js', import.meta.url));
  worker.unref();
  const waiting = new Map<number, { resolve(e: AdmittedEntry): void; reject(e: unknown): void }>();
  let next = 0;
  let dead: Error | undefined;
  const failAll = (e: Error) => {
    dead ??= e;
    for (const w of waiting.values()) w.reject(new SignetError('internal', 'entry admission failed', { cause: e }));
    waiting.clear();
  };
  worker.on('message', (m: Reply) => {
    const w = waiting.get(m.id);
    waiting.delete(m.id);
    if (waiting.size === 0) worker.unref();
    if (!w) return;
    if (m.entry) w.resolve(revive(m.entry));
    else w.reject(new SignetError(m.error!.code, m.error!.message, { detail: m.error!.detail }));
  });
  worker.on('error', failAll);
  worker.on('exit', () => failAll(new Error('an admission thread exited')));
  return {
    outstanding: () => (dead ? Number.POSITIVE_INFINITY : waiting.size),
    admit: (proposed: unknown) =>
      new Promise<AdmittedEntry>((resolve, reject) => {
        // A dead thread: admit inline rather than fail the request.
        if (dead) return void admitEntry(proposed).then(resolve, reject);
        const id = next++;
        waiting.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ id, proposed });
      }),
    close: () => worker.terminate(),
  };
}

/** Structured clone delivers Buffers as Uint8Arrays; the log hashes and stores them as Buffers. */
function revive(e: AdmittedEntry): AdmittedEntry {
  const body = Buffer.from(e.body.buffer, e.body.byteOffset, e.body.byteLength);
  const out: AdmittedEntry = { ...e, body };
  if (e.attestation) {
    const d = e.attestation.data;
    out.attestation = { ...e.attestation, data: Buffer.from(d.buffer, d.byteOffset, d.byteLength) };
  }
  return out;
}
