import Database from 'better-sqlite3';

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
 * transaction (a batch of entries) that is on disk when the call returns, so an SCT is never handed out for an entry that a crash could
 * lose. Single process: better-sqlite3 is synchronous, so calls never interleave.
 */
export class CtStore {
  readonly #db: Database.Database;

  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS entries (
        idx INTEGER PRIMARY KEY,
        identity BLOB NOT NULL UNIQUE,
        leaf_hash BLOB NOT NULL,
        leaf_input BLOB NOT NULL,
        extra_data BLOB NOT NULL,
        timestamp INTEGER NOT NULL,
        sct_signature BLOB NOT NULL
      );
      CREATE INDEX IF NOT EXISTS entries_leaf_hash ON entries (leaf_hash);
      CREATE TABLE IF NOT EXISTS nodes (level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL,
        PRIMARY KEY (level, idx)) WITHOUT ROWID;`);
  }

  size(): number {
    return (this.#db.prepare('SELECT COUNT(*) AS n FROM entries').get() as { n: number }).n;
  }

  /** The entry logged for `identity` (a hash of what was submitted), so a resubmission gets the same SCT. */
  byIdentity(identity: Buffer): StoredEntry | undefined {
    const row = this.#db.prepare('SELECT * FROM entries WHERE identity = ?').get(identity) as Row | undefined;
    return row && toEntry(row);
  }

  /** Lowest index whose leaf hash is `leafHash`, if any. */
  indexOfLeafHash(leafHash: Buffer): number | undefined {
    const row = this.#db.prepare('SELECT MIN(idx) AS idx FROM entries WHERE leaf_hash = ?').get(leafHash) as {
      idx: number | null;
    };
    return row.idx ?? undefined;
  }

  entries(start: number, end: number): StoredEntry[] {
    const rows = this.#db
      .prepare('SELECT * FROM entries WHERE idx BETWEEN ? AND ? ORDER BY idx')
      .all(start, end) as Row[];
    return rows.map(toEntry);
  }

  /** The hash of the complete subtree at (level, index), as written by `append`. */
  node(level: number, index: number): Buffer | undefined {
    const row = this.#db.prepare('SELECT hash FROM nodes WHERE level = ? AND idx = ?').get(level, index) as
      { hash: Buffer } | undefined;
    return row?.hash;
  }

  /**
   * Appends entries at the next indexes, with the subtree hashes each completes, in one durable transaction (one
   * fsync for the batch). `nodesFor` gets each new entry's index and leaf hash and returns the nodes to store.
   */
  append(
    batch: Array<Omit<StoredEntry, 'index'> & { identity: Buffer; leafHash: Buffer }>,
    nodesFor: (index: number, leafHash: Buffer) => Array<{ level: number; index: number; hash: Buffer }>,
  ): StoredEntry[] {
    const insertEntry = this.#db.prepare(
      'INSERT INTO entries (idx, identity, leaf_hash, leaf_input, extra_data, timestamp, sct_signature) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    const insertNode = this.#db.prepare('INSERT OR REPLACE INTO nodes (level, idx, hash) VALUES (?, ?, ?)');
    return this.#db.transaction(() => {
      const start = this.size();
      return batch.map((e, i) => {
        const index = start + i;
        insertEntry.run(index, e.identity, e.leafHash, e.leafInput, e.extraData, e.timestamp, e.sctSignature);
        for (const n of nodesFor(index, e.leafHash)) insertNode.run(n.level, n.index, n.hash);
        return {
          index,
          leafInput: e.leafInput,
          extraData: e.extraData,
          timestamp: e.timestamp,
          sctSignature: e.sctSignature,
        };
      });
    })();
  }

  close(): void {
    this.#db.close();
  }
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
