import type Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import { startWriterThread } from '../../workers/index.js';
import { packBatch, type PackedBatch } from './sqlite-batch.js';
import { batchWriter, openDatabase, prepare } from './sqlite-schema.js';
import {
  nodeKey,
  StoredLeafError,
  type Batch,
  type Cosignature,
  type LogMeta,
  type LogStore,
  type StoredEntry,
  type TreeHead,
} from './store.js';

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
  readonly #writer: BatchWriter;
  #closed = false;
  /**
   * The entries table's UNIQUE leaf hash refuses a logged leaf inside the batch's transaction, so the sequencer
   * places the next batch while this one commits and reads stored leaves only after such a refusal.
   */
  readonly checksLeaves = true;

  /**
   * `writerThread` (default: true when running compiled) commits batches on a worker thread so the fsync does not stall the event loop;
   * reads always use this thread's connection (WAL lets them run beside the writer).
   */
  constructor(path: string, options: { writerThread?: boolean } = {}) {
    this.#db = openDatabase(path);
    this.#stmt = prepare(this.#db);
    // Under tsx (tests from source) a worker cannot load TypeScript, so the commit runs inline there.
    const threaded = options.writerThread ?? import.meta.url.endsWith('.js');
    this.#writer = threaded ? threadWriter(path) : inlineWriter(this.#db);
  }

  async init(proposed: LogMeta): Promise<LogMeta> {
    this.#open();
    this.#stmt.insertMeta!.run('tree_id', proposed.treeId);
    const row = this.#stmt.getMeta!.get('tree_id') as { value: string };
    return { treeId: row.value };
  }

  async meta(): Promise<LogMeta | undefined> {
    this.#open();
    const row = this.#stmt.getMeta!.get('tree_id') as { value: string } | undefined;
    return row && { treeId: row.value };
  }

  async head(): Promise<TreeHead | undefined> {
    this.#open();
    const row = this.#stmt.getHead!.get() as { size: number; root_hash: Buffer; checkpoint: string } | undefined;
    return row && { size: row.size, rootHash: row.root_hash, checkpoint: row.checkpoint };
  }

  async appendBatch(batch: Batch): Promise<void> {
    this.#open();
    try {
      await this.#writer.write(batch);
    } catch (e) {
      if (isLeafConflict(e)) throw new StoredLeafError({ cause: e });
      throw e;
    }
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

  async searchIndexPage(keys: string[], limit: number, before = Number.MAX_SAFE_INTEGER): Promise<number[]> {
    this.#open();
    const found = new Set<number>();
    for (const k of new Set(keys)) {
      for (const row of this.#stmt.searchKeyPage!.all(k, before, limit) as Array<{ log_index: number }>) {
        found.add(row.log_index);
      }
    }
    return [...found].sort((a, b) => b - a).slice(0, limit);
  }

  async putCosignature(c: Cosignature): Promise<void> {
    this.#open();
    this.#stmt.putCosignature!.run(c.witness, c.size, c.rootHash, c.line);
  }

  async cosignatures(size: number, rootHash: Buffer): Promise<Cosignature[]> {
    this.#open();
    const rows = this.#stmt.cosignatures!.all(size, rootHash) as Array<{ witness: string; line: string }>;
    return rows.map((r) => ({ witness: r.witness, size, rootHash, line: r.line }));
  }

  async ping(): Promise<void> {
    this.#open();
    this.#stmt.ping!.get();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writer.close();
    this.#db.close();
  }

  #open(): void {
    if (this.#closed) throw new Error('log store is closed');
  }

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

/** SQLite's refusal of a second row with a logged leaf hash (the code crosses from the writer thread). */
function isLeafConflict(e: unknown): boolean {
  return (
    (e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' &&
    e instanceof Error &&
    e.message.includes('entries.leaf_hash')
  );
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

interface BatchWriter {
  write(batch: Batch): Promise<void>;
  close(): Promise<void>;
}

function inlineWriter(db: Database.Database): BatchWriter {
  const write = batchWriter(db);
  return { write: async (b) => write(b), close: async () => {} };
}

/** Runs sqlite-writer on a worker thread; a dead thread fails every pending and later write. */
function threadWriter(path: string): BatchWriter {
  const thread = startWriterThread<{ packed: PackedBatch }>(
    new URL('./sqlite-writer.js', import.meta.url),
    { path },
    'the SQLite writer thread',
  );
  return {
    write: (batch) => {
      const { packed, transfer } = packBatch(batch);
      return thread.write({ packed }, transfer);
    },
    close: () => thread.close(),
  };
}
