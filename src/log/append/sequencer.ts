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

/** A batch placed in the tree and signed, not yet written. */
interface Prepared {
  start: number;
  accepted: Pending[];
  entries: StoredEntry[];
  nodes: TreeNode[];
  claims: Claim[];
  head: TreeHead;
  /** Whether the stored leaves were read before it was placed. */
  readStored: boolean;
}

/**
 * The single writer of the tree, and nothing else. Concurrent add() calls are grouped into batches: one store
 * transaction (one fsync or COMMIT) and one checkpoint signature per batch. Each add() resolves once its batch is
 * durable, with the head of that batch. It knows nothing of HTTP, entry types or other processes.
 *
 * On a store that checks leaves at write time (`checksLeaves`: PostgreSQL, SQLite), the next batch is prepared (its
 * entries sealed, placed in the tree, its checkpoint signed) while the previous one is being written, so a batch
 * costs the longer of the two rather than their sum; it is written only once the previous one has committed, and
 * if that one fails, it is placed again from the committed tree. (Without the store's check, a leaf repeated across
 * the two batches would need a read of what is not committed yet: those stores prepare one batch at a time.)
 */
export class Sequencer {
  readonly #o: SequencerOptions;
  readonly #maxBatch: number;
  readonly #maxPending: number;
  readonly #clock: () => number;
  readonly #overlap: boolean;
  /** The right edge of the tree at `#tip`; undefined after a failed write until it is rebuilt from the store. */
  #range: CompactRange | undefined;
  /** The size of the tree with every prepared batch in it (`#head.size` when none is being written). */
  #tip: number;
  #head: TreeHead;
  #queue: Pending[] = [];
  #busy = false;
  #scheduled = false;
  #closing = false;
  #idle: Array<() => void> = [];
  /** Wakes the drain loop waiting on a write when an entry arrives. */
  #arrived: (() => void) | undefined;
  /** The next batch reads stored leaves first: the write of the last one found a leaf already logged. */
  #readNext = false;

  private constructor(o: SequencerOptions, range: CompactRange, head: TreeHead) {
    this.#o = o;
    this.#maxBatch = o.maxBatch ?? 1024;
    this.#maxPending = o.maxPending ?? 8192;
    this.#clock = o.clock ?? Date.now;
    this.#overlap = o.store.checksLeaves === true;
    this.#range = range;
    this.#tip = head.size;
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
      this.#arrived?.();
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
    let writing: { batch: Prepared; failure: Promise<unknown> } | undefined;
    try {
      while (this.#queue.length > 0 || writing) {
        let next: Prepared | undefined;
        // A batch that reads stored leaves waits for the write before it, so the read sees every earlier leaf.
        if (this.#queue.length > 0 && (!writing || (this.#overlap && !this.#readNext))) {
          const batch = this.#queue.splice(0, this.#maxBatch);
          this.#o.metrics?.queueDepth(this.#queue.length);
          next = await this.#prepare(batch);
        } else if (writing && this.#overlap && this.#queue.length === 0) {
          // Nothing to prepare yet: wait for the write, or for an entry to prepare meanwhile.
          const arrival = new Promise<void>((r) => (this.#arrived = r));
          const done = await Promise.race([writing.failure.then(() => true), arrival.then(() => false)]);
          this.#arrived = undefined;
          if (!done) continue;
        }
        if (writing) {
          const failure = await writing.failure;
          const failed = writing.batch;
          writing = undefined;
          if (failure !== undefined) {
            this.#recover(failed, failure, next);
            continue;
          }
        }
        if (next) writing = { batch: next, failure: this.#write(next) };
      }
    } finally {
      this.#busy = false;
      this.#arrived = undefined;
      if (this.#queue.length === 0) for (const done of this.#idle.splice(0)) done();
    }
  }

  /**
   * Places a batch in the tree after every batch prepared before it: duplicates out (stored leaves read first when
   * the store does not check them itself, or after such a check failed), entries sealed, nodes and root computed,
   * checkpoint signed. Entries that cannot be placed are rejected here; undefined when none is left.
   */
  async #prepare(pending: Pending[]): Promise<Prepared | undefined> {
    const readStored = this.#readNext || !this.#overlap;
    this.#readNext = false;
    let range = this.#range;
    if (!range) {
      try {
        range = await this.#rebuild();
      } catch (e) {
        const err = new SignetError('internal', 'the log sequencer failed', { cause: e });
        for (const p of pending) p.reject(err);
        return undefined;
      }
    }
    const start = this.#tip;
    const accepted = await this.#rejectDuplicates(pending, readStored, start);
    if (accepted.length === 0) return undefined;
    const fail = (e: unknown, message: string) => {
      const err = new SignetError('internal', message, { cause: e });
      for (const p of accepted) p.reject(err);
      return undefined;
    };
    const integratedTime = Math.floor(this.#clock() / 1000);
    let seals: Buffer[] | undefined;
    try {
      seals = await this.#o.seal?.(
        accepted.map((p, i) => ({ logIndex: start + i, integratedTime, body: p.entry.body })),
      );
      if (seals && seals.length !== accepted.length)
        throw new Error(`${seals.length} seals for ${accepted.length} entries`);
    } catch (e) {
      return fail(e, 'could not sign the entries');
    }
    const nodes: TreeNode[] = [];
    const claims: Claim[] = [];
    const entries = accepted.map((p, i): StoredEntry => {
      const logIndex = start + i;
      range.append(p.leafHash, (level, index, hash) => nodes.push({ level, index, hash }));
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
    this.#tip = size;
    const rootHash = range.root();
    try {
      const head = { size, rootHash, checkpoint: await this.#o.signCheckpoint(size, rootHash) };
      return { start, accepted, entries, nodes, claims, head, readStored };
    } catch (e) {
      this.#range = undefined;
      this.#tip = start;
      return fail(e, 'could not sign the checkpoint');
    }
  }

  /**
   * The right edge again after a failed write, from the committed tree. A write can fail on this side and still
   * commit on the server (a timeout on the answer): then the stored head is ahead, its entries were answered with
   * the failure (a retry gets 409 with their index), and the tree goes on from that head rather than failing every
   * later batch on the head check.
   */
  async #rebuild(): Promise<CompactRange> {
    const stored = await this.#o.store.head();
    if (stored && stored.size > this.#tip && this.#tip === this.#head.size) {
      this.#head = stored;
      this.#tip = stored.size;
      this.#o.metrics?.treeHead(stored.size, this.#clock());
    }
    const range = await CompactRange.fromSize(this.#tip, this.#o.cache.read);
    if (this.#tip === this.#head.size && !range.root().equals(this.#head.rootHash)) {
      throw new Error(`stored tree nodes do not match the signed head at size ${this.#head.size}`);
    }
    this.#range = range;
    return range;
  }

  /** Writes a prepared batch and answers its entries; resolves with the failure (undefined once it committed). */
  async #write(b: Prepared): Promise<unknown> {
    const { entries, nodes, head, claims } = b;
    try {
      const stored = nodes.filter((n) => n.level > 0);
      await this.#o.store.appendBatch({ entries, nodes: stored, head, ...(claims.length ? { claims } : {}) });
    } catch (e) {
      return e ?? new Error('the batch write failed');
    }
    for (const n of nodes) this.#o.cache.set(n.level, n.index, n.hash);
    for (const e of entries) this.#o.cache.set(0, e.logIndex, e.leafHash);
    this.#head = head;
    this.#o.metrics?.batchWritten(entries.length);
    this.#o.metrics?.treeHead(head.size, this.#clock());
    b.accepted.forEach((p, i) => p.resolve({ entry: entries[i]!, head }));
    return undefined;
  }

  /**
   * A write failed: nothing of it is durable, nor of `next`, placed on top of it. The tree goes back to the failed
   * batch's start (the right edge is rebuilt from committed nodes by the next prepare), `next` is queued again in
   * front, and the failed batch's entries are answered with the failure, or queued again when the write found a
   * leaf already logged: the next batch reads which (they get 409, the rest go in).
   */
  #recover(failed: Prepared, failure: unknown, next: Prepared | undefined): void {
    this.#range = undefined;
    this.#tip = failed.start;
    const again = next?.accepted ?? [];
    if (failure instanceof StoredLeafError && !failed.readStored) {
      this.#queue.unshift(...failed.accepted, ...again);
      this.#readNext = true;
    } else {
      this.#o.metrics?.databaseError();
      const err = writeFailure(failure, 'could not write the entries to the log');
      for (const p of failed.accepted) p.reject(err);
      this.#queue.unshift(...again);
    }
    this.#o.metrics?.queueDepth(this.#queue.length);
  }

  /**
   * Fails entries repeated within this batch (the later copy loses; the batch starts at `start`) and, with
   * `readStored`, those already logged.
   */
  async #rejectDuplicates(pending: Pending[], readStored: boolean, start: number): Promise<Pending[]> {
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
        p.reject(new DuplicateEntryError(p.leafHash, start + firstInBatch.get(hex)!));
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
