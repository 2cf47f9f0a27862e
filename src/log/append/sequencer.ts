import { CompactRange, leafHash } from '../../merkle/index.js';
import { SignetError, isSignetError, isStorageFull } from '../../errors.js';
import type { LogMetrics } from '../../metrics/index.js';
import type { CheckpointSigner } from '../checkpoint.js';
import type { NodeCache } from '../node-cache.js';
import type { SequencerStore } from '../storage/hand-off.js';
import { StoredLeafError, type Claim, type StoredEntry, type TreeHead, type TreeNode } from '../storage/store.js';

/** What the log engine stores of an admitted entry: the leaf bytes and what travels beside them. */
export interface EntryToLog {
  /** The Merkle leaf bytes (the canonical body). */
  body: Buffer;
  /** Search keys (lower case); `[]` for a log without a search index. */
  indexKeys: string[];
  attestation?: { mediaType: string; data: Buffer };
}

/** The fields a per-entry promise covers, known only at integration. */
export interface SealInput {
  logIndex: number;
  integratedTime: number;
  body: Buffer;
}

/** A durably sequenced entry and the signed head of its batch (which covers it). */
export interface Sequenced {
  entry: StoredEntry;
  head: TreeHead;
}

/** The entry is already in the log (at `logIndex`); not an error of the request's shape. */
export class DuplicateEntryError extends Error {
  constructor(
    readonly leafHash: Buffer,
    readonly logIndex: number,
  ) {
    super('an equivalent entry already exists in the transparency log');
  }
}

export interface SequencerOptions {
  /** Where batches are written: the log's store, or the elected PostgreSQL sequencer's session. */
  store: SequencerStore;
  cache: NodeCache;
  signCheckpoint: CheckpointSigner;
  /**
   * Signs the per-entry promises of a batch at integration (Rekor v1: the SETs), one per input in order; without it
   * entries carry none. Asynchronous so the signatures can be made off the event loop (worker threads).
   */
  seal?: (batch: SealInput[]) => Promise<Buffer[]>;
  /** Most entries per transaction (default 1024). */
  maxBatch?: number;
  /** Most entries waiting to be sequenced before add() answers pushback (default 8192). */
  maxPending?: number;
  /** Milliseconds since the epoch (injected in tests). */
  clock?: () => number;
  /** Where batches, queue depth, heads and storage failures are reported (none when absent). */
  metrics?: LogMetrics;
}

interface Pending {
  entry: EntryToLog;
  leafHash: Buffer;
  claim: string | undefined;
  resolve(s: Sequenced): void;
  reject(e: unknown): void;
}

const NO_SEAL = Buffer.alloc(0);

/**
 * The single writer of the tree, and nothing else. Concurrent add() calls are grouped into batches: one store
 * transaction (one fsync or COMMIT) and one checkpoint signature per batch. Each add() resolves once its batch is
 * durable, with the head of that batch. It knows nothing of HTTP, entry types or other processes.
 */
export class Sequencer {
  readonly #o: SequencerOptions;
  readonly #maxBatch: number;
  readonly #maxPending: number;
  readonly #clock: () => number;
  #range: CompactRange;
  #head: TreeHead;
  #queue: Pending[] = [];
  #busy = false;
  #scheduled = false;
  #closing = false;
  #idle: Array<() => void> = [];

  private constructor(o: SequencerOptions, range: CompactRange, head: TreeHead) {
    this.#o = o;
    this.#maxBatch = o.maxBatch ?? 1024;
    this.#maxPending = o.maxPending ?? 8192;
    this.#clock = o.clock ?? Date.now;
    this.#range = range;
    this.#head = head;
  }

  /** Loads the right edge for the stored head (signing an empty checkpoint for a new log) and checks its root. */
  static async open(o: SequencerOptions): Promise<Sequencer> {
    let head = await o.store.head();
    if (!head) {
      const range = await CompactRange.fromSize(0, o.cache.read);
      const rootHash = range.root();
      head = { size: 0, rootHash, checkpoint: await o.signCheckpoint(0, rootHash) };
      await o.store.setHead(head);
    }
    const range = await CompactRange.fromSize(head.size, o.cache.read);
    if (!range.root().equals(head.rootHash)) {
      throw new SignetError('internal', `stored tree nodes do not match the signed head at size ${head.size}`);
    }
    // Checkpoints carry no time: a head loaded at start counts from when this process took it up.
    o.metrics?.treeHead(head.size, (o.clock ?? Date.now)());
    return new Sequencer(o, range, head);
  }

  /** The latest durable signed head. */
  head(): TreeHead {
    return this.#head;
  }

  /** Entries queued and not yet written. */
  get queued(): number {
    return this.#queue.length;
  }

  /**
   * Queues an entry; resolves when it is durably in the log. `claim` is the hand-off row it consumes (shared
   * stores). Rejects with DuplicateEntryError or pushback.
   */
  add(entry: EntryToLog, claim?: string): Promise<Sequenced> {
    if (this.#closing) {
      return Promise.reject(new SignetError('pushback', 'the log is shutting down', { detail: { retryAfter: '5' } }));
    }
    if (this.#queue.length >= this.#maxPending) {
      return Promise.reject(
        new SignetError('pushback', 'the log is busy: too many entries waiting', { detail: { retryAfter: '1' } }),
      );
    }
    return new Promise<Sequenced>((resolve, reject) => {
      this.#queue.push({ entry, leafHash: leafHash(entry.body), claim, resolve, reject });
      this.#o.metrics?.queueDepth(this.#queue.length);
      this.#schedule();
    });
  }

  /** Stops accepting entries and resolves once every queued entry is sequenced (or failed). */
  async close(): Promise<void> {
    this.#closing = true;
    if (!this.#busy && this.#queue.length === 0) return;
    await new Promise<void>((resolve) => this.#idle.push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || this.#busy) return;
    this.#scheduled = true;
    // setImmediate runs after the current I/O phase, so every request parsed in this turn joins the batch.
    setImmediate(() => {
      this.#scheduled = false;
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      while (this.#queue.length > 0) {
        const batch = this.#queue.splice(0, this.#maxBatch);
        this.#o.metrics?.queueDepth(this.#queue.length);
        try {
          await this.#sequence(batch);
        } catch (e) {
          // Only a failed rebuild of the right edge lands here; a promise settled twice is a no-op.
          const err = new SignetError('internal', 'the log sequencer failed', { cause: e });
          for (const p of batch) p.reject(err);
        }
      }
    } finally {
      this.#busy = false;
      if (this.#queue.length === 0) for (const done of this.#idle.splice(0)) done();
    }
  }

  /**
   * One batch. `readStored` says whether to look up the stored leaves before writing; a store that checks them at
   * write time (`checksLeaves`) skips that read and the batch is redone with it only when the write finds one.
   */
  async #sequence(pending: Pending[], readStored = !this.#o.store.checksLeaves): Promise<void> {
    const accepted = await this.#rejectDuplicates(pending, readStored);
    if (accepted.length === 0) return;
    const start = this.#head.size;
    const integratedTime = Math.floor(this.#clock() / 1000);
    const nodes: TreeNode[] = [];
    const claims: Claim[] = [];
    let seals: Buffer[] | undefined;
    try {
      seals = await this.#o.seal?.(
        accepted.map((p, i) => ({ logIndex: start + i, integratedTime, body: p.entry.body })),
      );
      if (seals && seals.length !== accepted.length)
        throw new Error(`${seals.length} seals for ${accepted.length} entries`);
    } catch (e) {
      const err = new SignetError('internal', 'could not sign the entries', { cause: e });
      for (const p of accepted) p.reject(err);
      return;
    }
    const entries = accepted.map((p, i): StoredEntry => {
      const logIndex = start + i;
      this.#range.append(p.leafHash, (level, index, hash) => nodes.push({ level, index, hash }));
      if (p.claim !== undefined) claims.push({ id: p.claim, logIndex });
      const { body, indexKeys, attestation } = p.entry;
      return {
        logIndex,
        leafHash: p.leafHash,
        integratedTime,
        body,
        signedEntryTimestamp: seals?.[i] ?? NO_SEAL,
        indexKeys,
        ...(attestation ? { attestation } : {}),
      };
    });
    const size = start + entries.length;
    const rootHash = this.#range.root();
    try {
      const head = { size, rootHash, checkpoint: await this.#o.signCheckpoint(size, rootHash) };
      const stored = nodes.filter((n) => n.level > 0);
      await this.#o.store.appendBatch({ entries, nodes: stored, head, ...(claims.length ? { claims } : {}) });
      for (const n of nodes) this.#o.cache.set(n.level, n.index, n.hash);
      for (const e of entries) this.#o.cache.set(0, e.logIndex, e.leafHash);
      this.#head = head;
      this.#o.metrics?.batchWritten(entries.length);
      this.#o.metrics?.treeHead(size, this.#clock());
    } catch (e) {
      // Nothing of the batch is durable: rebuild the right edge from committed nodes.
      this.#range = await CompactRange.fromSize(start, this.#o.cache.read);
      // Some leaf was logged before: redo the batch, this time reading which (they get 409, the rest go in).
      if (e instanceof StoredLeafError && !readStored) return this.#sequence(accepted, true);
      // Otherwise fail its requests.
      this.#o.metrics?.databaseError();
      const err = writeFailure(e, 'could not write the entries to the log');
      for (const p of accepted) p.reject(err);
      return;
    }
    const head = this.#head;
    accepted.forEach((p, i) => p.resolve({ entry: entries[i]!, head }));
  }

  /** Fails entries repeated within this batch (the later copy loses) and, with `readStored`, those already logged. */
  async #rejectDuplicates(pending: Pending[], readStored: boolean): Promise<Pending[]> {
    let existing = new Map<string, number>();
    try {
      if (readStored) existing = await this.#o.store.indexesByLeafHash(pending.map((p) => p.leafHash));
    } catch (e) {
      this.#o.metrics?.databaseError();
      const err = writeFailure(e, 'could not read the log store');
      for (const p of pending) p.reject(err);
      return [];
    }
    const firstInBatch = new Map<string, number>();
    const accepted: Pending[] = [];
    for (const p of pending) {
      const hex = p.leafHash.toString('hex');
      const at = existing.get(hex);
      if (at !== undefined) {
        p.reject(new DuplicateEntryError(p.leafHash, at));
      } else if (firstInBatch.has(hex)) {
        p.reject(new DuplicateEntryError(p.leafHash, this.#head.size + firstInBatch.get(hex)!));
      } else {
        firstInBatch.set(hex, accepted.length);
        accepted.push(p);
      }
    }
    return accepted;
  }
}

/**
 * Storage that cannot take writes right now (database unreachable, disk full) is pushback: 503 + Retry-After, so
 * clients and load balancers retry; anything else is a server bug (500).
 */
function writeFailure(e: unknown, message: string): SignetError {
  if (isSignetError(e, 'pushback')) return e;
  if (isStorageFull(e)) {
    return new SignetError('pushback', 'the log storage is full; retry later', {
      cause: e,
      detail: { retryAfter: '30' },
    });
  }
  return new SignetError('internal', message, { cause: e });
}
