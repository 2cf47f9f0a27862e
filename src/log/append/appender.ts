import { inclusionProof, type NodeReader } from '../../merkle/index.js';
import type { LogMetrics } from '../../metrics/index.js';
import type { CheckpointSigner } from '../checkpoint.js';
import type { NodeCache } from '../node-cache.js';
import type { LogStore, StoredEntry, TreeHead } from '../storage/store.js';
import type { EntryToLog, SealInput } from './sequencer.js';

/**
 * The write side of the log engine, as every log (Rekor v1, Rekor v2) sees it.
 *
 * Contract:
 * - `append` resolves once the entry is durable (committed and fsynced) and covered by a signed checkpoint, with
 *   the stored entry and an inclusion proof against that checkpoint. Nothing is acknowledged before it is durable.
 * - It rejects with `DuplicateEntryError` (carrying the existing entry's leaf hash and log index) for a leaf
 *   already in the log, with a `pushback` SignetError (503 + Retry-After) when the log is busy, shutting down or its
 *   storage is unavailable or full, and with an `internal` one for anything else. A rejected entry is not logged,
 *   except that a pushback from a lost database may come after the entry was in fact logged (a retry then gets
 *   the duplicate answer with its index).
 * - `head` is the latest signed head this process knows (never older than one it returned from `append`).
 * - `ready` rejects while no process can sequence (no elected sequencer on a shared store).
 * - `close` refuses new entries and answers those already accepted before it resolves.
 *
 * The engine is generic over the entry: leaf bytes plus what is stored beside them (index keys, attestation); the
 * per-entry promise (the v1 SET) is the caller's `seal`. Two implementations, chosen by the store:
 * - `LocalAppender`: the store is owned by this process (SQLite, memory); entries go straight to its Sequencer.
 * - `SharedAppender`: the store is shared (PostgreSQL, `store.handOff`); one process is elected sequencer and takes
 *   its own requests straight to its Sequencer; the others hand entries over the store's pending queue.
 * See docs/design/log-write-path.md.
 */
export interface Appender {
  append(entry: EntryToLog): Promise<Appended>;
  head(): TreeHead;
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface Appended {
  entry: StoredEntry;
  proof: InclusionProof;
}

/** An inclusion proof against a signed head. */
export interface InclusionProof {
  logIndex: number;
  treeSize: number;
  rootHash: Buffer;
  hashes: Buffer[];
  checkpoint: string;
}

export interface AppenderOptions {
  store: LogStore;
  /** Tree nodes in memory in front of `store` (shared with the read path). */
  cache: NodeCache;
  signCheckpoint: CheckpointSigner;
  /** The per-entry promises of a batch, signed at integration (Rekor v1: the SETs); none when absent. */
  seal?: (batch: SealInput[]) => Promise<Buffer[]>;
  /** Most entries per batch (default 1024). */
  maxBatch?: number;
  /** Most entries waiting in this process before append answers pushback (default 8192). */
  maxPending?: number;
  clock?: () => number;
  /** Where the engine reports batches, queue depth, heads and storage failures (none when absent). */
  metrics?: LogMetrics;
  /** Shared stores: election and hand-off timing. */
  handOff?: HandOffTuning;
}

export interface HandOffTuning {
  /** How often to try for the sequencer role, poll outcomes and sweep (default 250 ms). */
  tickMs?: number;
  /** How long a frontend waits for its entry to be sequenced before withdrawing it and answering 503 (default 10 s). */
  waitTimeoutMs?: number;
  /** Called when this process becomes or stops being the sequencer. */
  onRole?: (role: 'sequencer' | 'frontend') => void;
}

/** An inclusion proof of `logIndex` against `head` (any durable head of this log). */
export async function proveInclusion(read: NodeReader, logIndex: number, head: TreeHead): Promise<InclusionProof> {
  const hashes = await inclusionProof(logIndex, head.size, read);
  return { logIndex, treeSize: head.size, rootHash: head.rootHash, hashes, checkpoint: head.checkpoint };
}
