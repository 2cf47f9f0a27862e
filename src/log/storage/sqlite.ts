import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { nodeKey, type Batch, type LogMeta, type LogStore, type StoredEntry, type TreeHead } from './store.js';

/**
 * The embedded default: one SQLite file, WAL journal, `synchronous=FULL` so a committed batch survives power loss
 * before the 201 goes out. better-sqlite3 is synchronous; the methods are async to honour the LogStore contract,
 * and a batch commit blocks the event loop for one fsync, which is what group commit amortises.
 *
 * Tree nodes are kept per perfect subtree (level >= 1) with the leaf hashes in `entries`, so a C2SP tile
 * (level 8L, 256 consecutive indexes) is one range scan.
 */
export class SqliteLogStore implements LogStore {
  readonly #db: Database.Database;
  readonly #stmt: Record<string, Statement>;
  #closed = false;

  constructor(path: string) {
    this.#db = new Database(path);
    this.#db.pragma('journal_mode = WAL');
    this.#db.pragma('synchronous = FULL');
    this.#db.pragma('busy_timeout = 5000');
    this.#db.exec(SCHEMA);
    this.#stmt = prepare(this.#db);
  }

  async init(proposed: LogMeta): Promise<LogMeta> {
    this.#open();
    this.#stmt.insertMeta!.run('tree_id', proposed.treeId);
    const row = this.#stmt.getMeta!.get('tree_id') as { value: string };
    return { treeId: row.value };
  }

  async head(): Promise<TreeHead | undefined> {
    this.#open();
    const row = this.#stmt.getHead!.get() as { size: number; root_hash: Buffer; checkpoint: string } | undefined;
    return row && { size: row.size, rootHash: row.root_hash, checkpoint: row.checkpoint };
  }

  async appendBatch(batch: Batch): Promise<void> {
    this.#open();
    this.#appendTx(batch);
  }

  async setHead(head: TreeHead): Promise<void> {
    this.#open();
    this.#stmt.putHead!.run(head.size, head.rootHash, head.checkpoint);
  }

  async entriesByIndex(indexes: number[]): Promise<Map<number, StoredEntry>> {
    this.#open();
    const out = new Map<number, StoredEntry>();
    for (const i of indexes) {
      const row = this.#stmt.getEntry!.get(i) as EntryRow | undefined;
      if (row) out.set(i, this.#toEntry(row));
    }
    return out;
  }

  async indexesByLeafHash(leafHashes: Buffer[]): Promise<Map<string, number>> {
    this.#open();
    const out = new Map<string, number>();
    for (const h of leafHashes) {
      const row = this.#stmt.getIndexByLeaf!.get(h) as { log_index: number } | undefined;
      if (row) out.set(h.toString('hex'), row.log_index);
    }
    return out;
  }

  async nodes(ids: Array<{ level: number; index: number }>): Promise<Map<string, Buffer>> {
    this.#open();
    const out = new Map<string, Buffer>();
    for (const { level, index } of ids) {
      const row =
        level === 0
          ? (this.#stmt.getLeafHash!.get(index) as { hash: Buffer } | undefined)
          : (this.#stmt.getNode!.get(level, index) as { hash: Buffer } | undefined);
      if (row) out.set(nodeKey(level, index), row.hash);
    }
    return out;
  }

  async searchIndex(keys: string[]): Promise<number[]> {
    this.#open();
    const found = new Set<number>();
    for (const k of keys) {
      for (const row of this.#stmt.searchKey!.all(k) as Array<{ log_index: number }>) found.add(row.log_index);
    }
    return [...found].sort((a, b) => a - b);
  }

  async ping(): Promise<void> {
    this.#open();
    this.#stmt.ping!.get();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #open(): void {
    if (this.#closed) throw new Error('log store is closed');
  }

  readonly #appendTx = (batch: Batch) =>
    this.#db.transaction((b: Batch) => {
      const head = this.#stmt.getHead!.get() as { size: number } | undefined;
      const expected = head?.size ?? 0;
      if (b.entries.length > 0 && b.entries[0]!.logIndex !== expected) {
        throw new Error(`batch starts at index ${b.entries[0]!.logIndex}, the tree has ${expected} entries`);
      }
      for (const e of b.entries) {
        this.#stmt.insertEntry!.run(
          e.logIndex,
          e.leafHash,
          e.integratedTime,
          e.body,
          e.signedEntryTimestamp,
          JSON.stringify(e.indexKeys),
          e.attestation?.mediaType ?? null,
          e.attestation?.data ?? null,
        );
        for (const k of e.indexKeys) this.#stmt.insertKey!.run(k, e.logIndex);
      }
      for (const n of b.nodes) this.#stmt.insertNode!.run(n.level, n.index, n.hash);
      this.#stmt.putHead!.run(b.head.size, b.head.rootHash, b.head.checkpoint);
    })(batch);

  #toEntry(row: EntryRow): StoredEntry {
    const entry: StoredEntry = {
      logIndex: row.log_index,
      leafHash: row.leaf_hash,
      integratedTime: row.integrated_time,
      body: row.body,
      signedEntryTimestamp: row.set_sig,
      indexKeys: JSON.parse(row.index_keys) as string[],
    };
    if (row.att_type !== null && row.att_data !== null) {
      entry.attestation = { mediaType: row.att_type, data: row.att_data };
    }
    return entry;
  }
}

interface EntryRow {
  log_index: number;
  leaf_hash: Buffer;
  integrated_time: number;
  body: Buffer;
  set_sig: Buffer;
  index_keys: string;
  att_type: string | null;
  att_data: Buffer | null;
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
`;

function prepare(db: Database.Database): Record<string, Statement> {
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
    ping: db.prepare('SELECT 1'),
  };
}
