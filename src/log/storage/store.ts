/**
 * The log's storage, declared where the sequencer and the read path use it. Every method is async so a networked
 * backend (PostgreSQL) implements the same contract as the embedded SQLite one.
 *
 * Concurrency contract:
 * - `appendBatch` is called by exactly one sequencer at a time per log (the SQLite process owns its file; a
 *   PostgreSQL deployment elects one sequencer with an advisory lock). It is never called concurrently with itself.
 * - Every read method may run concurrently with `appendBatch` and with other reads. A read sees either none or
 *   all of a batch (the batch is one transaction).
 * - Not found is never an error: lookups return `undefined` (or omit the key from a result map).
 * - Errors thrown are unexpected (I/O, corruption); callers answer 500 and may retry the whole call.
 */
import type { HandOff } from './hand-off.js';

/** One sequenced entry as stored: the row behind every `LogEntry` the API returns. */
export interface StoredEntry {
  /** Index in this tree (0-based). */
  logIndex: number;
  /** RFC 6962 leaf hash of `body` (the entry UUID). */
  leafHash: Buffer;
  /** Unix seconds when the sequencer integrated the entry. */
  integratedTime: number;
  /** The canonical entry body: the Merkle leaf bytes. */
  body: Buffer;
  /** The per-entry promise signed at integration (Rekor v1: the SignedEntryTimestamp); empty for a log without one. */
  signedEntryTimestamp: Buffer;
  /** Search keys written with the entry (lower case; empty for a log without a search index). */
  indexKeys: string[];
  attestation?: { mediaType: string; data: Buffer };
}

/** A perfect-subtree hash: level 0 are leaf hashes, level l covers leaves [index·2^l, (index+1)·2^l). */
export interface TreeNode {
  level: number;
  index: number;
  hash: Buffer;
}

/** The latest signed state of the tree. */
export interface TreeHead {
  size: number;
  rootHash: Buffer;
  /** The signed note (checkpoint) for this size and root. */
  checkpoint: string;
}

/** What a log keeps about itself across restarts. */
export interface LogMeta {
  /** Decimal int64 tree ID, fixed at creation. */
  treeId: string;
}

/** One sequencer batch: the unit of durability. */
export interface Batch {
  /** Consecutive entries starting at the previous head's size. */
  entries: StoredEntry[];
  /** Every perfect-subtree node (level >= 1) completed by these entries; level-0 hashes are the entries' leaf hashes. */
  nodes: TreeNode[];
  /** The signed head after this batch. */
  head: TreeHead;
  /**
   * Hand-off rows these entries consume (stores with a `handOff` only): each row is consumed in the same
   * transaction, and the batch is rejected whole when any of them is no longer waiting (withdrawn by its frontend).
   */
  claims?: Claim[];
}

/** A waiting hand-off row (see `HandOff`) sequenced at `logIndex`. */
export interface Claim {
  id: string;
  logIndex: number;
}

/** A witness cosignature line over the checkpoint of one tree (size + root). */
export interface Cosignature {
  /** `name+keyhash`: a witness keeps only its latest cosignature. */
  witness: string;
  size: number;
  rootHash: Buffer;
  /** The note signature line, `— <name> <base64>\n`. */
  line: string;
}

export interface LogStore {
  /**
   * Creates the log's metadata if the store is empty (using `proposed`), or returns what is stored. Durable when it
   * returns. Safe to call from several processes at once: all get the same answer.
   */
  init(proposed: LogMeta): Promise<LogMeta>;

  /**
   * What `init` stored, or undefined for a store in which no log was ever created (a new, wiped or emptied
   * database). Creates nothing: a service checks it before `init` to refuse starting a second tree under a key
   * that already signed one.
   */
  meta(): Promise<LogMeta | undefined>;

  /** The latest head written by `appendBatch` (or `setHead`), or undefined for a log that never signed one. */
  head(): Promise<TreeHead | undefined>;

  /**
   * Writes a batch's entries, their search index keys, the new tree nodes and the new head in ONE transaction:
   * when it resolves, all of it is durable (fsynced) and visible to reads; when it rejects, none of it is.
   * Rejects if an entry's leaf hash or index already exists (the sequencer checks duplicates first; this is the
   * backstop) or if `entries[0].logIndex` is not the stored head's size.
   */
  appendBatch(batch: Batch): Promise<void>;

  /** Replaces the head without entries (the initial empty checkpoint, or a re-signed one). Durable on return. */
  setHead(head: TreeHead): Promise<void>;

  /** Entries by index; indexes not (yet) in the log are absent from the result. */
  entriesByIndex(indexes: number[]): Promise<Map<number, StoredEntry>>;

  /** Log indexes of entries with these leaf hashes (hex keys); unknown hashes are absent. */
  indexesByLeafHash(leafHashes: Buffer[]): Promise<Map<string, number>>;

  /**
   * Perfect-subtree hashes (level 0 = leaf hashes). Nodes not yet in the tree are absent from the result.
   * Keys are `${level}/${index}`.
   */
  nodes(ids: Array<{ level: number; index: number }>): Promise<Map<string, Buffer>>;

  /** Log indexes of the entries whose index keys include ANY of `keys` (already lower-cased), ascending. */
  searchIndex(keys: string[]): Promise<number[]>;

  /**
   * One page of `searchIndex`, newest first: the highest `limit` log indexes below `before` (default: no bound)
   * whose index keys include ANY of `keys`, descending. Read backwards along the (key, log_index) index, so its cost
   * follows `limit`, not the number of hits (the explorer's paged search).
   */
  searchIndexPage(keys: string[], limit: number, before?: number): Promise<number[]>;

  /** Stores a witness cosignature, replacing that witness's previous one. Durable on return. */
  putCosignature(c: Cosignature): Promise<void>;

  /** The stored cosignatures over exactly this tree (size and root), ordered by witness. */
  cosignatures(size: number, rootHash: Buffer): Promise<Cosignature[]>;

  /**
   * Present when several processes share this store (PostgreSQL): the queue by which they hand entries to the one
   * elected sequencer. Absent for a store one process owns (SQLite, memory). See src/log/append/appender.ts.
   */
  readonly handOff?: HandOff;

  /** Cheap liveness check of the backing store (for /readyz); rejects when it is unreachable. */
  ping(): Promise<void>;

  /** Releases the store; pending calls finish first. Calls after close reject. */
  close(): Promise<void>;
}

/**
 * A batch held a leaf already stored, and nothing of it was written: what `appendBatch` rejects with on a store
 * that checks leaves at write time (`SequencerStore.checksLeaves`).
 */
export class StoredLeafError extends Error {
  constructor(options?: ErrorOptions) {
    super('a leaf of the batch is already in the log', options);
  }
}

export const nodeKey = (level: number, index: number): string => `${level}/${index}`;
