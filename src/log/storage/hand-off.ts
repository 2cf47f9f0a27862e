import type { Batch, StoredEntry, TreeHead, TreeNode } from './store.js';

/** An admitted entry as it travels from a frontend to the sequencer: the leaf bytes and what is stored beside them. */
export interface HandOffEntry {
  leafHash: Buffer;
  body: Buffer;
  indexKeys: string[];
  attestation?: { mediaType: string; data: Buffer };
}

/** A row waiting in the queue, as the sequencer reads it. */
export interface WaitingRow extends HandOffEntry {
  id: string;
}

/** What became of a row: sequenced (with what the sequencer added to the entry), or a duplicate of `logIndex`. */
export type Outcome =
  | { duplicate: false; logIndex: number; integratedTime: number; signedEntryTimestamp: Buffer }
  | { duplicate: true; logIndex: number };

/** The store as the elected sequencer writes it: batches commit over the session that holds the role. */
export interface SequencerStore {
  head(): Promise<TreeHead | undefined>;
  setHead(head: TreeHead): Promise<void>;
  indexesByLeafHash(leafHashes: Buffer[]): Promise<Map<string, number>>;
  appendBatch(batch: Batch): Promise<void>;
  /**
   * True when `appendBatch` itself rejects a batch holding an already stored leaf, with `StoredLeafError` and
   * nothing written. The sequencer then writes first and reads the stored leaves (`indexesByLeafHash`) only after
   * such a rejection: a round trip per batch fewer on a networked store, where duplicates are the exception.
   */
  readonly checksLeaves?: boolean;
}

/** Outcomes by row id, and the head that covers them (undefined only for a log that never signed one). */
export interface Collected {
  outcomes: Map<string, Outcome>;
  head: TreeHead | undefined;
  /**
   * Tree nodes (level 0: leaf hashes) completed between the caller's `nodesSince` and `head.size`, or some recent
   * part of them: enough to prove recent outcomes from memory. Absent when they could not be read consistently.
   */
  nodes?: TreeNode[];
}

/** The sequencer role, held until `lost` fires or `release` is called. */
export interface Lease {
  readonly store: SequencerStore;
  /** Called once if the role is lost (the session holding it died): stop writing. */
  onLost(listener: () => void): void;
  release(): Promise<void>;
}

/**
 * The pending-queue contract between the frontends of a shared store and its one elected sequencer.
 *
 * - `enqueue` durably queues entries (one round trip for many) and wakes the sequencer; it returns one row id per
 *   entry, in order. The same leaf may wait in several rows: the sequencer logs the first and marks the others
 *   duplicates, so every row gets an outcome.
 * - The sequencer reads `waiting` rows, sequences them and, in the SAME transaction as the batch (`Batch.claims`),
 *   consumes each row (its outcome is then the logged entry); duplicates get `markDuplicates`. Then every frontend
 *   is woken (`onSequenced`).
 * - A frontend `collect`s the outcomes of its rows (given with their leaf hashes) with the head that covers them;
 *   a read, so asking again gives the same outcome. If it stops waiting, `withdraw` removes a row still waiting (true) so it can never be sequenced afterwards, or returns
 *   false because the sequencer got there first; then its outcome stands and is collected as usual. An outcome
 *   collected while the row's withdrawal is under way is only valid if the withdrawal returns false.
 * - `lease` tries for the sequencer role (at most one holder per log); `leaderKnown` tells whether anyone holds it.
 * - Rows left with an outcome (duplicates) are deleted by `sweep` once no frontend can still be waiting on them.
 */
export interface HandOff {
  enqueue(entries: HandOffEntry[]): Promise<string[]>;
  /** Waiting rows in queue order, except those in `skip` (rows the caller already holds). */
  waiting(limit: number, skip?: string[]): Promise<WaitingRow[]>;
  markDuplicates(rows: Array<{ id: string; logIndex: number }>): Promise<void>;
  /** Outcomes of these rows, with the head covering them and the tree nodes completed since `nodesSince`. */
  collect(rows: ReadonlyArray<{ id: string; leafHash: Buffer }>, nodesSince: number): Promise<Collected>;
  withdraw(id: string): Promise<boolean>;
  sweep(olderThanSeconds: number): Promise<void>;
  lease(): Promise<Lease | undefined>;
  leaderKnown(): Promise<boolean>;
  /** Wakes `onWaiting` when rows are queued and `onSequenced` when outcomes are written (best effort: also poll). */
  listen(handlers: { onWaiting(): void; onSequenced(): void }): Promise<void>;
  /** Ends the lease and listener sessions (the store's own pool is closed by the store). */
  close(): Promise<void>;
}

/** The stored entry a frontend answers with once its row is sequenced. */
export function sequencedEntry(e: HandOffEntry, o: Extract<Outcome, { duplicate: false }>): StoredEntry {
  return {
    logIndex: o.logIndex,
    leafHash: e.leafHash,
    integratedTime: o.integratedTime,
    body: e.body,
    signedEntryTimestamp: o.signedEntryTimestamp,
    indexKeys: e.indexKeys,
    ...(e.attestation ? { attestation: e.attestation } : {}),
  };
}
