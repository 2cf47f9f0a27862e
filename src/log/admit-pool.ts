import type { KeyObject } from 'node:crypto';
import { asBuffer, createTaskPool } from '../workers/index.js';
import type { SealInput } from './append/index.js';
import type { LogIdentity } from './identity.js';
import { signEntryTimestamp } from './set.js';
import { admitEntry, type AdmittedEntry } from './types/index.js';
import { admitProposedJson } from './admit-json.js';

export type Admit = (proposed: unknown) => Promise<AdmittedEntry>;
/** Admits a proposed entry given as the JSON bytes of a request body (see admit-json.ts). */
export type AdmitJson = (body: Buffer) => Promise<AdmittedEntry>;
/** Signs the SETs of one batch, in order. */
export type Seal = (identity: LogIdentity, batch: SealInput[]) => Promise<Buffer[]>;

export interface AdmitPool {
  admit: Admit;
  admitJson: AdmitJson;
  seal: Seal;
  close(): Promise<void>;
}

/** What one thread of the pool is asked to do: admit a proposed entry, or sign the SETs of part of a batch. */
export type LogTask =
  | { admit: unknown }
  | { admitJson: Uint8Array }
  | { seal: { privateKey: KeyObject; keyType: LogIdentity['keyType']; logId: string; items: SealInput[] } };
type LogTaskOut = AdmittedEntry | Uint8Array[];

/** Runs one task (on a worker thread, or inline). */
export function runLogTask(task: LogTask): LogTaskOut | Promise<LogTaskOut> {
  if ('admit' in task) return admitEntry(task.admit);
  if ('admitJson' in task) return admitProposedJson(task.admitJson);
  const { privateKey, keyType, logId, items } = task.seal;
  // signEntryTimestamp reads only the key, its type and the log ID of the identity.
  const identity = { privateKey, keyType, logId } as LogIdentity;
  return items.map((e) => signEntryTimestamp(identity, { ...e, body: asBuffer(e.body) }));
}

/** Fewest SETs worth a message to a thread of their own. */
const MIN_SEAL_CHUNK = 32;

/**
 * The Rekor v1 log's CPU work on `threads` worker threads, so the event loop only reads requests, sequences and
 * answers: parsing and verifying proposed entries (the per-request cost), and signing each batch's SETs (one P-256 signature
 * per entry, known only once the sequencer has placed the entry), split across the threads.
 */
export function createAdmitPool(threads: number): AdmitPool {
  const pool = createTaskPool<LogTask, LogTaskOut>({
    threads,
    workerUrl: new URL('./admit-worker.js', import.meta.url),
    inline: runLogTask,
  });
  return {
    admit: async (p) => revive((await pool.run({ admit: p })) as AdmittedEntry),
    // The body's bytes cross, not a parsed object: parsing moves off the event loop, and bytes clone cheaply.
    admitJson: async (body) => revive((await pool.run({ admitJson: body })) as AdmittedEntry),
    seal: async (identity, batch) => {
      const per = Math.max(MIN_SEAL_CHUNK, Math.ceil(batch.length / Math.max(1, threads)));
      const chunks: SealInput[][] = [];
      for (let i = 0; i < batch.length; i += per) chunks.push(batch.slice(i, i + per));
      const { privateKey, keyType, logId } = identity;
      const signed = await Promise.all(
        // Ahead of the uploads waiting for admission: a whole batch of requests waits on these signatures.
        chunks.map(
          (items) =>
            pool.run({ seal: { privateKey, keyType, logId, items } }, { urgent: true }) as Promise<Uint8Array[]>,
        ),
      );
      return signed.flat().map(asBuffer);
    },
    close: () => pool.close(),
  };
}

/** The log hashes and stores bodies as Buffers. */
function revive(e: AdmittedEntry): AdmittedEntry {
  const out: AdmittedEntry = { ...e, body: asBuffer(e.body) };
  if (e.attestation) out.attestation = { ...e.attestation, data: asBuffer(e.attestation.data) };
  return out;
}
