import Database from 'better-sqlite3';

/** One entry as committed: its index, Merkle leaf, the chain for get-entries, its SCT, and the subtree nodes it completes. */
export interface CtRow {
  index: number;
  identity: Uint8Array;
  leafHash: Uint8Array;
  leafInput: Uint8Array;
  extraData: Uint8Array;
  timestamp: number;
  sctSignature: Uint8Array;
  nodes: Array<{ level: number; index: number; hash: Uint8Array }>;
}

/** Opens the CT database with the durability settings every connection must share (WAL, synchronous FULL). */
export function openCtDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at every commit, so an entry is on disk before its SCT is handed out.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(`
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
  return db;
}

/** Entries are 0..n-1 with no gap, so the size is the last index + 1: a b-tree lookup, where COUNT(*) scans the table. */
export const SIZE_SQL = 'SELECT COALESCE(MAX(idx) + 1, 0) AS n FROM entries';

/**
 * Writes a batch in one transaction (one fsync): the entries at the next indexes and the nodes each completes.
 * Throws and rolls back when the batch does not start at the table's size (another writer, or a bug).
 */
export function ctBatchWriter(db: Database.Database): (rows: CtRow[]) => void {
  const size = db.prepare(SIZE_SQL);
  const insertEntry = db.prepare(
    'INSERT INTO entries (idx, identity, leaf_hash, leaf_input, extra_data, timestamp, sct_signature) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const insertNode = db.prepare('INSERT OR REPLACE INTO nodes (level, idx, hash) VALUES (?, ?, ?)');
  return db.transaction((rows: CtRow[]) => {
    const start = (size.get() as { n: number }).n;
    if (rows.length > 0 && rows[0]!.index !== start) {
      throw new Error(`ct batch starts at index ${rows[0]!.index} but the store holds ${start} entries`);
    }
    for (const r of rows) {
      insertEntry.run(r.index, r.identity, r.leafHash, r.leafInput, r.extraData, r.timestamp, r.sctSignature);
      for (const n of r.nodes) insertNode.run(n.level, n.index, n.hash);
    }
  });
}
