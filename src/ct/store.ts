import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { owned, startWriterThread } from '../workers/index.js';
import { ctBatchWriter, openCtDatabase, SIZE_SQL, type CtRow } from './store-schema.js';

export type { CtRow };

/** One logged entry as stored: its Merkle leaf, the chain for get-entries, and the SCT signature it was given. */
export interface StoredEntry {
  index: number;
  leafInput: Buffer;
  extraData: Buffer;
  timestamp: number;
  sctSignature: Buffer;
}

/**
 * The CT log's SQLite file (WAL, synchronous FULL): entries and the hashes of complete subtrees. Every write is one
 * transaction (a batch of entries) that is on disk when its promise resolves, so an SCT is never handed out for an
 * entry that a crash could lose. The commit and its fsync run on a writer thread (its own connection) when running
 * compiled, so the event loop keeps working meanwhile; reads use this thread's connection (WAL lets them run beside
 * the writer and they see every commit that resolved). Single process; one write at a time (the log's flush).
 */
export class CtStore {
  readonly #db: Database.Database;
  readonly #stmt: Record<'size' | 'byIdentity' | 'indexOfLeafHash' | 'entries' | 'node', Statement>;
  readonly #writer: CtWriter;

  /** `writerThread` (default: true when running compiled; a worker cannot load TypeScript) commits on a thread. */
  constructor(path: string, options: { writerThread?: boolean } = {}) {
    this.#db = openCtDatabase(path);
    this.#stmt = {
      size: this.#db.prepare(SIZE_SQL),
      byIdentity: this.#db.prepare('SELECT * FROM entries WHERE identity = ?'),
      indexOfLeafHash: this.#db.prepare('SELECT MIN(idx) AS idx FROM entries WHERE leaf_hash = ?'),
      entries: this.#db.prepare('SELECT * FROM entries WHERE idx BETWEEN ? AND ? ORDER BY idx'),
      node: this.#db.prepare('SELECT hash FROM nodes WHERE level = ? AND idx = ?'),
    };
    const threaded = options.writerThread ?? import.meta.url.endsWith('.js');
    this.#writer = threaded ? threadWriter(path) : inlineWriter(this.#db);
  }

  size(): number {
    return (this.#stmt.size.get() as { n: number }).n;
  }

  /** The entry logged for `identity` (a hash of what was submitted), so a resubmission gets the same SCT. */
  byIdentity(identity: Buffer): StoredEntry | undefined {
    const row = this.#stmt.byIdentity.get(identity) as Row | undefined;
    return row && toEntry(row);
  }

  /** Lowest index whose leaf hash is `leafHash`, if any. */
  indexOfLeafHash(leafHash: Buffer): number | undefined {
    const row = this.#stmt.indexOfLeafHash.get(leafHash) as { idx: number | null };
    return row.idx ?? undefined;
  }

  entries(start: number, end: number): StoredEntry[] {
    return (this.#stmt.entries.all(start, end) as Row[]).map(toEntry);
  }

  /** The hash of the complete subtree at (level, index), as written by `append`. */
  node(level: number, index: number): Buffer | undefined {
    const row = this.#stmt.node.get(level, index) as { hash: Buffer } | undefined;
    return row?.hash;
  }

  /**
   * Appends entries at the next indexes (the first must be `size()`), with the subtree hashes each completes, in one
   * durable transaction (one fsync for the batch). Resolves once it is on disk; rejects with the SQLite/errno
   * `code` kept (SQLITE_FULL, ENOSPC) when it is not.
   */
  append(rows: CtRow[]): Promise<void> {
    return this.#writer.write(rows);
  }

  async close(): Promise<void> {
    await this.#writer.close();
    this.#db.close();
  }
}

interface CtWriter {
  write(rows: CtRow[]): Promise<void>;
  close(): Promise<void>;
}

function inlineWriter(db: Database.Database): CtWriter {
  const write = ctBatchWriter(db);
  return { write: async (rows) => write(rows), close: async () => {} };
}

/** Runs store-writer on a worker thread; a dead thread fails every pending and later write. */
function threadWriter(path: string): CtWriter {
  const thread = startWriterThread<{ rows: CtRow[] }>(
    new URL('./store-writer.js', import.meta.url),
    { path },
    'the CT log writer thread',
  );
  return {
    // Small Buffers are views into Node's pool: post exact copies (see src/workers/message.ts).
    write: (rows) => thread.write({ rows: owned(rows) }),
    close: () => thread.close(),
  };
}

interface Row {
  idx: number;
  leaf_input: Buffer;
  extra_data: Buffer;
  timestamp: number;
  sct_signature: Buffer;
}

function toEntry(r: Row): StoredEntry {
  return {
    index: r.idx,
    leafInput: r.leaf_input,
    extraData: r.extra_data,
    timestamp: r.timestamp,
    sctSignature: r.sct_signature,
  };
}
