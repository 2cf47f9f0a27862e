import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import type { Batch } from './store.js';

/** Opens the log database with the durability settings every connection must share. */
export function openDatabase(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  // FULL: the WAL is fsynced at every commit, so a batch is on disk before its requests are answered.
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  return db;
}

/** Writes one batch in one transaction (entries, index keys, nodes, head); throws and rolls back on any conflict. */
export function batchWriter(db: Database.Database): (batch: Batch) => void {
  const stmt = prepare(db);
  return db.transaction((b: Batch) => {
    const head = stmt.getHead!.get() as { size: number } | undefined;
    const expected = head?.size ?? 0;
    if (b.entries.length > 0 && b.entries[0]!.logIndex !== expected) {
      throw new Error(`batch starts at index ${b.entries[0]!.logIndex}, the tree has ${expected} entries`);
    }
    for (const e of b.entries) {
      stmt.insertEntry!.run(
        e.logIndex,
        e.leafHash,
        e.integratedTime,
        e.body,
        e.signedEntryTimestamp,
        JSON.stringify(e.indexKeys),
        e.attestation?.mediaType ?? null,
        e.attestation?.data ?? null,
      );
      for (const k of e.indexKeys) stmt.insertKey!.run(k, e.logIndex);
    }
    for (const n of b.nodes) stmt.insertNode!.run(n.level, n.index, n.hash);
    stmt.putHead!.run(b.head.size, b.head.rootHash, b.head.checkpoint);
  });
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS head (
  id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, root_hash BLOB NOT NULL, checkpoint TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
  log_index INTEGER PRIMARY KEY, leaf_hash BLOB NOT NULL UNIQUE, integrated_time INTEGER NOT NULL,
  body BLOB NOT NULL, set_sig BLOB NOT NULL, index_keys TEXT NOT NULL, att_type TEXT, att_data BLOB);
CREATE TABLE IF NOT EXISTS nodes (
  level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY (level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS index_keys (
  key TEXT NOT NULL, log_index INTEGER NOT NULL, PRIMARY KEY (key, log_index)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cosignatures (
  witness TEXT PRIMARY KEY, tree_size INTEGER NOT NULL, root_hash BLOB NOT NULL, line TEXT NOT NULL) WITHOUT ROWID;
`;

export function prepare(db: Database.Database): Record<string, Statement> {
  return {
    insertMeta: db.prepare('INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)'),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    getHead: db.prepare('SELECT size, root_hash, checkpoint FROM head WHERE id = 1'),
    putHead: db.prepare(
      'INSERT INTO head (id, size, root_hash, checkpoint) VALUES (1, ?, ?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET size = excluded.size, root_hash = excluded.root_hash, ' +
        'checkpoint = excluded.checkpoint',
    ),
    insertEntry: db.prepare(
      'INSERT INTO entries (log_index, leaf_hash, integrated_time, body, set_sig, index_keys, att_type, att_data) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertKey: db.prepare('INSERT OR IGNORE INTO index_keys (key, log_index) VALUES (?, ?)'),
    insertNode: db.prepare('INSERT INTO nodes (level, idx, hash) VALUES (?, ?, ?)'),
    getEntry: db.prepare('SELECT * FROM entries WHERE log_index = ?'),
    getIndexByLeaf: db.prepare('SELECT log_index FROM entries WHERE leaf_hash = ?'),
    getLeafHash: db.prepare('SELECT leaf_hash AS hash FROM entries WHERE log_index = ?'),
    getNode: db.prepare('SELECT hash FROM nodes WHERE level = ? AND idx = ?'),
    searchKey: db.prepare('SELECT log_index FROM index_keys WHERE key = ? ORDER BY log_index'),
    searchKeyPage: db.prepare(
      'SELECT log_index FROM index_keys WHERE key = ? AND log_index < ? ORDER BY log_index DESC LIMIT ?',
    ),
    ping: db.prepare('SELECT 1'),
    putCosignature: db.prepare(
      'INSERT INTO cosignatures (witness, tree_size, root_hash, line) VALUES (?, ?, ?, ?) ON CONFLICT (witness) ' +
        'DO UPDATE SET tree_size = excluded.tree_size, root_hash = excluded.root_hash, line = excluded.line',
    ),
    cosignatures: db.prepare(
      'SELECT witness, line FROM cosignatures WHERE tree_size = ? AND root_hash = ? ORDER BY witness',
    ),
  };
}
