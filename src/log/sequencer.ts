import { CompactRange, inclusionProof, leafHash } from '../merkle/index.js';
import { SignetError, isSignetError } from '../errors.js';
import type { CheckpointSigner } from './checkpoint.js';
import type { NodeCache } from './node-cache.js';
import { signEntryTimestamp } from './set.js';
import type { LogIdentity } from './identity.js';
import type { LogStore, StoredEntry, TreeHead, TreeNode } from './storage/store.js';

/** What the sequencer needs of an admitted entry. */
export interface EntryToLog {
  body: Buffer;
  indexKeys: string[];
  attestation?: { mediaType: string; data: Buffer };
}

/** An inclusion proof against a signed head. */
export interface InclusionProof {
  logIndex: number;
  treeSize: number;
  rootHash: Buffer;
  hashes: Buffer[];
  checkpoint: string;
}

export interface Sequenced {
  entry: StoredEntry;
  proof: InclusionProof;
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
  store: LogStore;
  identity: LogIdentity;
  cache: NodeCache;
  signCheckpoint: CheckpointSigner;
  /** Most entries per transaction (default 1024). */
  maxBatch?: number;
  /** Most entries waiting to be sequenced before add() answers pushback (default 8192). */
  maxPending?: number;
  /** Milliseconds since the epoch (injected in tests). */
  clock?: () => number;
  /**
   * Several frontends on one database: entries are handed to whichever process holds the sequencer role (see
   * src/log/election.ts) instead of this process's in-memory queue.
   */
  frontend?: (o: SequencerOptions) => Promise<SequencerFrontend>;
}

/** A hand-off to a sequencer that may run in another process. */
export interface SequencerFrontend {
  /** Resolves once the entry is durably sequenced, with a head that covers it; rejects with DuplicateEntryError. */
  add(entry: EntryToLog, leafHash: Buffer): Promise<{ entry: StoredEntry; head: TreeHead }>;
  /** The latest durable head this process has seen. */
  head(): TreeHead;
  /** Whether some process currently holds the sequencer role (for /readyz). */
  sequencerKnown(): Promise<boolean>;
  close(): Promise<void>;
}

interface Pending {
  entry: EntryToLog;
  leafHash: Buffer;
  resolve(s: Sequenced): void;
  reject(e: unknown): void;
}

/**
 * The single writer of the tree. Concurrent add() calls are grouped into batches: one store transaction (one fsync)
 * and one checkpoint signature per batch, one SET per entry. Each add() resolves once its batch is durable, with an
 * inclusion proof against that batch's checkpoint, computed from the in-memory right edge and node cache.
 */
export class Sequencer {
  readonly #o: Required<Omit<SequencerOptions, 'cache' | 'store' | 'identity' | 'signCheckpoint' | 'frontend'>> &
    SequencerOptions;
  #range: CompactRange;
  #head: TreeHead;
  #queue: Pending[] = [];
  #busy = false;
  #scheduled = false;
  #closing = false;
  #idle: Array<() => void> = [];
  #frontend: SequencerFrontend | undefined;
  #remote = 0;

  private constructor(o: SequencerOptions, range: CompactRange, head: TreeHead) {
    // `??`, not spread: an explicit `undefined` option must still get its default.
    this.#o = { ...o, maxBatch: o.maxBatch ?? 1024, maxPending: o.maxPending ?? 8192, clock: o.clock ?? Date.now };
    this.#range = range;
    this.#head = head;
  }

  /** Loads the right edge for the stored head (signing an empty checkpoint for a new log) and checks its root. */
  static async open(o: SequencerOptions): Promise<Sequencer> {
    if (o.frontend) {
      const frontend = await o.frontend(o);
      const s = new Sequencer(o, await CompactRange.fromSize(0, o.cache.read), frontend.head());
      s.#frontend = frontend;
      return s;
    }
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
    return new Sequencer(o, range, head);
  }

  /** The latest durable signed head. */
  head(): TreeHead {
    return this.#frontend?.head() ?? this.#head;
  }

  /** This process sequences (SQLite, or the elected PostgreSQL sequencer), or another process holds the role. */
  sequencerKnown(): Promise<boolean> {
    return this.#frontend ? this.#frontend.sequencerKnown() : Promise.resolve(true);
  }

  /** Queues an entry; resolves when it is durably in the log. Rejects with DuplicateEntryError or pushback. */
  add(entry: EntryToLog): Promise<Sequenced> {
    if (this.#closing) {
      return Promise.reject(new SignetError('pushback', 'the log is shutting down', { detail: { retryAfter: '5' } }));
    }
    if (this.#queue.length + this.#remote >= this.#o.maxPending) {
      return Promise.reject(
        new SignetError('pushback', 'the log is busy: too many entries waiting', { detail: { retryAfter: '1' } }),
      );
    }
    if (this.#frontend) return this.#addRemote(this.#frontend, entry);
    return new Promise<Sequenced>((resolve, reject) => {
      this.#queue.push({ entry, leafHash: leafHash(entry.body), resolve, reject });
      this.#schedule();
    });
  }

  async #addRemote(frontend: SequencerFrontend, entry: EntryToLog): Promise<Sequenced> {
    this.#remote++;
    try {
      const { entry: stored, head } = await frontend.add(entry, leafHash(entry.body));
      return { entry: stored, proof: await this.proveInclusion(stored.logIndex, head) };
    } finally {
      this.#remote--;
    }
  }

  /** Stops accepting entries and resolves once every queued entry is sequenced (or failed). */
  async close(): Promise<void> {
    this.#closing = true;
    if (this.#frontend) return this.#frontend.close();
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
        const batch = this.#queue.splice(0, this.#o.maxBatch);
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

  async #sequence(pending: Pending[]): Promise<void> {
    const accepted = await this.#rejectDuplicates(pending);
    if (accepted.length === 0) return;
    const start = this.#head.size;
    const integratedTime = Math.floor(this.#o.clock() / 1000);
    const nodes: TreeNode[] = [];
    const entries = accepted.map((p, i): StoredEntry => {
      const logIndex = start + i;
      this.#range.append(p.leafHash, (level, index, hash) => nodes.push({ level, index, hash }));
      const e = { logIndex, leafHash: p.leafHash, integratedTime, body: p.entry.body, indexKeys: p.entry.indexKeys };
      return { ...e, attestation: p.entry.attestation, signedEntryTimestamp: signEntryTimestamp(this.#o.identity, e) };
    });
    const size = start + entries.length;
    const rootHash = this.#range.root();
    try {
      const head = { size, rootHash, checkpoint: await this.#o.signCheckpoint(size, rootHash) };
      const stored = nodes.filter((n) => n.level > 0);
      await this.#o.store.appendBatch({ entries, nodes: stored, head });
      for (const n of nodes) this.#o.cache.set(n.level, n.index, n.hash);
      for (const e of entries) this.#o.cache.set(0, e.logIndex, e.leafHash);
      this.#head = head;
    } catch (e) {
      // Nothing of the batch is durable: rebuild the right edge from committed nodes and fail its requests.
      this.#range = await CompactRange.fromSize(start, this.#o.cache.read);
      const err = writeFailure(e, 'could not write the entries to the log');
      for (const p of accepted) p.reject(err);
      return;
    }
    await this.#resolveAll(accepted, entries);
  }

  async #resolveAll(accepted: Pending[], entries: StoredEntry[]): Promise<void> {
    const head = this.#head;
    await Promise.all(
      accepted.map(async (p, i) => {
        try {
          p.resolve({ entry: entries[i]!, proof: await this.proveInclusion(entries[i]!.logIndex, head) });
        } catch (e) {
          p.reject(e);
        }
      }),
    );
  }

  /** An inclusion proof of `logIndex` against `head` (any durable head of this log). */
  async proveInclusion(logIndex: number, head: TreeHead = this.head()): Promise<InclusionProof> {
    const hashes = await inclusionProof(logIndex, head.size, this.#o.cache.read);
    return { logIndex, treeSize: head.size, rootHash: head.rootHash, hashes, checkpoint: head.checkpoint };
  }

  /** Fails entries already in the log or repeated within this batch (the later copy loses). */
  async #rejectDuplicates(pending: Pending[]): Promise<Pending[]> {
    let existing: Map<string, number>;
    try {
      existing = await this.#o.store.indexesByLeafHash(pending.map((p) => p.leafHash));
    } catch (e) {
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
  const code = String((e as { code?: unknown } | undefined)?.code ?? '');
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code.startsWith('SQLITE_IOERR')) {
    return new SignetError('pushback', 'the log storage is full; retry later', {
      cause: e,
      detail: { retryAfter: '30' },
    });
  }
  return new SignetError('internal', message, { cause: e });
}
