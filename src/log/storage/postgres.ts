import pg from 'pg';
import { nodeKey, type Batch, type LogMeta, type LogStore, type StoredEntry, type TreeHead } from './store.js';
import { parseDatabaseUrl, unavailable, type PgTarget } from './postgres-connect.js';
import { migrate } from './postgres-schema.js';

/** An entry admitted by a frontend and waiting in `pending` for the sequencer. */
export interface PendingRow {
  id: string;
  leafHash: Buffer;
  body: Buffer;
  indexKeys: string[];
  attestation?: { mediaType: string; data: Buffer };
}

/** What became of a pending row: sequenced at `logIndex`, or a duplicate of the entry at `logIndex`. */
export interface PendingOutcome {
  logIndex: number;
  duplicate: boolean;
}

export interface PostgresStoreOptions {
  /**
   * When true (several frontends), every appended entry must consume its unsequenced `pending` row in the same
   * transaction, or the batch rolls back: a frontend that gave up on a row (and answered 503) can never see it
   * sequenced afterwards.
   */
  requirePending?: boolean;
}

/**
 * The LogStore on PostgreSQL: same tables as SQLite plus `pending`, bulk writes with `unnest`, one transaction per
 * batch (durable at COMMIT with the server's default `synchronous_commit=on`). Connection failures surface as
 * pushback (503 + Retry-After); the pool reconnects by itself when the server returns.
 */
export class PostgresLogStore implements LogStore {
  readonly pool: pg.Pool;
  readonly target: PgTarget;
  #requirePending: boolean;
  #closed = false;

  private constructor(target: PgTarget, options: PostgresStoreOptions) {
    this.target = target;
    this.pool = new pg.Pool(target.config);
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.#requirePending = options.requirePending ?? false;
  }

  /** Connects, applies migrations (idempotent, safe under concurrent starts) and returns the store. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresLogStore> {
    const store = new PostgresLogStore(parseDatabaseUrl(url), options);
    try {
      const client = await store.pool.connect();
      try {
        await migrate(client, store.target.schema);
      } finally {
        client.release();
      }
    } catch (e) {
      await store.pool.end();
      throw unavailable(e);
    }
    return store;
  }

  setRequirePending(on: boolean): void {
    this.#requirePending = on;
  }

  async init(proposed: LogMeta): Promise<LogMeta> {
    await this.#q('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
      'tree_id',
      proposed.treeId,
    ]);
    const { rows } = await this.#q<{ value: string }>('SELECT value FROM meta WHERE key = $1', ['tree_id']);
    return { treeId: rows[0]!.value };
  }

  async head(): Promise<TreeHead | undefined> {
    const { rows } = await this.#q<HeadRow>('SELECT size, root_hash, checkpoint FROM head WHERE id = 1');
    return rows[0] && toHead(rows[0]);
  }

  /** Appends on a pool connection; the sequencer passes its lock-holding connection via `appendBatchOn`. */
  async appendBatch(batch: Batch): Promise<void> {
    this.#open();
    const client = await this.pool.connect().catch((e: unknown) => Promise.reject(unavailable(e)));
    try {
      await this.appendBatchOn(client, batch);
    } finally {
      client.release();
    }
  }

  async appendBatchOn(client: pg.ClientBase, b: Batch): Promise<void> {
    this.#open();
    try {
      await client.query('BEGIN');
      // FOR UPDATE serialises sequencers: a deposed one fails the index check instead of interleaving.
      const { rows } = await client.query<{ size: string }>('SELECT size FROM head WHERE id = 1 FOR UPDATE');
      const expected = Number(rows[0]?.size ?? 0);
      if (b.entries.length > 0 && b.entries[0]!.logIndex !== expected) {
        throw new Error(`batch starts at index ${b.entries[0]!.logIndex}, the tree has ${expected} entries`);
      }
      await insertEntries(client, b.entries);
      if (b.nodes.length > 0) {
        await client.query(
          'INSERT INTO nodes (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])',
          [b.nodes.map((n) => n.level), b.nodes.map((n) => n.index), b.nodes.map((n) => n.hash)],
        );
      }
      await this.#consumePending(client, b.entries);
      await client.query(
        'INSERT INTO head (id, size, root_hash, checkpoint) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO UPDATE SET ' +
          'size = excluded.size, root_hash = excluded.root_hash, checkpoint = excluded.checkpoint',
        [b.head.size, b.head.rootHash, b.head.checkpoint],
      );
      await client.query("SELECT pg_notify('signet_log_sequenced', $1)", [String(b.head.size)]);
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw unavailable(e);
    }
  }

  async #consumePending(client: pg.ClientBase, entries: StoredEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const { rowCount } = await client.query(
      'UPDATE pending p SET log_index = u.log_index FROM unnest($1::bytea[], $2::bigint[]) AS u(leaf_hash, log_index) ' +
        'WHERE p.leaf_hash = u.leaf_hash AND p.log_index IS NULL',
      [entries.map((e) => e.leafHash), entries.map((e) => e.logIndex)],
    );
    if (this.#requirePending && rowCount !== entries.length) {
      throw new Error(`only ${rowCount} of ${entries.length} pending entries are still waiting; batch abandoned`);
    }
  }

  async setHead(head: TreeHead): Promise<void> {
    await this.#q(
      'INSERT INTO head (id, size, root_hash, checkpoint) VALUES (1, $1, $2, $3) ON CONFLICT (id) DO UPDATE SET ' +
        'size = excluded.size, root_hash = excluded.root_hash, checkpoint = excluded.checkpoint',
      [head.size, head.rootHash, head.checkpoint],
    );
  }

  async entriesByIndex(indexes: number[]): Promise<Map<number, StoredEntry>> {
    const out = new Map<number, StoredEntry>();
    if (indexes.length === 0) return out;
    const { rows } = await this.#q<EntryRow>('SELECT * FROM entries WHERE log_index = ANY($1::bigint[])', [indexes]);
    const byIndex = new Map(rows.map((r) => [Number(r.log_index), r]));
    // Keys in request order, as the other stores return them.
    for (const i of indexes) {
      const r = byIndex.get(i);
      if (r) out.set(i, toEntry(r));
    }
    return out;
  }

  async indexesByLeafHash(leafHashes: Buffer[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    if (leafHashes.length === 0) return out;
    const { rows } = await this.#q<{ leaf_hash: Buffer; log_index: string }>(
      'SELECT leaf_hash, log_index FROM entries WHERE leaf_hash = ANY($1::bytea[])',
      [leafHashes],
    );
    for (const r of rows) out.set(r.leaf_hash.toString('hex'), Number(r.log_index));
    return out;
  }

  async nodes(ids: Array<{ level: number; index: number }>): Promise<Map<string, Buffer>> {
    const out = new Map<string, Buffer>();
    const leaves = ids.filter((i) => i.level === 0).map((i) => i.index);
    const inner = ids.filter((i) => i.level > 0);
    const [a, b] = await Promise.all([
      leaves.length === 0
        ? { rows: [] }
        : this.#q<{ log_index: string; leaf_hash: Buffer }>(
            'SELECT log_index, leaf_hash FROM entries WHERE log_index = ANY($1::bigint[])',
            [leaves],
          ),
      inner.length === 0
        ? { rows: [] }
        : this.#q<{ level: number; idx: string; hash: Buffer }>(
            'SELECT n.level, n.idx, n.hash FROM nodes n JOIN unnest($1::smallint[], $2::bigint[]) AS u(level, idx) ' +
              'ON n.level = u.level AND n.idx = u.idx',
            [inner.map((i) => i.level), inner.map((i) => i.index)],
          ),
    ]);
    for (const r of a.rows) out.set(nodeKey(0, Number(r.log_index)), r.leaf_hash);
    for (const r of b.rows) out.set(nodeKey(r.level, Number(r.idx)), r.hash);
    return out;
  }

  async searchIndex(keys: string[]): Promise<number[]> {
    if (keys.length === 0) return [];
    const { rows } = await this.#q<{ log_index: string }>(
      'SELECT DISTINCT log_index FROM index_keys WHERE key = ANY($1::text[]) ORDER BY log_index',
      [keys],
    );
    return rows.map((r) => Number(r.log_index));
  }

  async ping(): Promise<void> {
    await this.#q('SELECT 1');
  }

  // --- the frontend/sequencer hand-off (several frontends on one database) ---

  /** Whether some session holds the sequencer's advisory lock (`classId`, hashtext(schema)) right now. */
  async lockHeld(classId: number): Promise<boolean> {
    const { rows } = await this.#q<{ held: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
         AND classid = $1::bigint::oid AND objid = hashtext($2)::oid AND objsubid = 2) AS held`,
      [classId, this.target.schema],
    );
    return rows[0]?.held === true;
  }

  /**
   * Queues an admitted entry for the sequencer. Returns its row id, or `undefined` when the same leaf is already
   * waiting (another frontend won the race: this request is the duplicate).
   */
  async enqueue(e: Omit<PendingRow, 'id'>): Promise<string | undefined> {
    // One round trip: the insert and the wake-up of the sequencer (NOTIFY is delivered at commit).
    const { rows } = await this.#q<{ id: string }>(
      'WITH ins AS (INSERT INTO pending (leaf_hash, body, index_keys, att_type, att_data) VALUES ($1, $2, $3, $4, $5) ' +
        'ON CONFLICT (leaf_hash) WHERE log_index IS NULL DO NOTHING RETURNING id) ' +
        "SELECT id, pg_notify('signet_log_pending', '') FROM ins",
      [e.leafHash, e.body, JSON.stringify(e.indexKeys), e.attestation?.mediaType ?? null, e.attestation?.data ?? null],
    );
    return rows[0]?.id;
  }

  /** The oldest unsequenced rows, for the sequencer. */
  async unsequenced(limit: number, afterId = '0'): Promise<PendingRow[]> {
    const { rows } = await this.#q<PendingDbRow>(
      'SELECT id, leaf_hash, body, index_keys, att_type, att_data FROM pending ' +
        'WHERE log_index IS NULL AND id > $2 ORDER BY id LIMIT $1',
      [limit, afterId],
    );
    return rows.map((r) => ({
      id: r.id,
      leafHash: r.leaf_hash,
      body: r.body,
      indexKeys: JSON.parse(r.index_keys) as string[],
      ...(r.att_type !== null && r.att_data !== null
        ? { attestation: { mediaType: r.att_type, data: r.att_data } }
        : {}),
    }));
  }

  /** Marks a waiting row as a duplicate of the logged entry at `logIndex`. */
  async markDuplicate(id: string, logIndex: number): Promise<void> {
    await this.#q('UPDATE pending SET log_index = $2, duplicate = TRUE WHERE id = $1 AND log_index IS NULL', [
      id,
      logIndex,
    ]);
    await this.#q("SELECT pg_notify('signet_log_sequenced', '')");
  }

  /** Outcomes of these rows that are settled; settled rows are deleted as they are read. */
  async takeOutcomes(ids: string[]): Promise<Map<string, PendingOutcome>> {
    const out = new Map<string, PendingOutcome>();
    if (ids.length === 0) return out;
    const { rows } = await this.#q<{ id: string; log_index: string; duplicate: boolean }>(
      'DELETE FROM pending WHERE id = ANY($1::bigint[]) AND log_index IS NOT NULL RETURNING id, log_index, duplicate',
      [ids],
    );
    for (const r of rows) out.set(r.id, { logIndex: Number(r.log_index), duplicate: r.duplicate });
    return out;
  }

  /** Withdraws a row that is still waiting; false when the sequencer got to it first (then read its outcome). */
  async withdraw(id: string): Promise<boolean> {
    const { rowCount } = await this.#q('DELETE FROM pending WHERE id = $1 AND log_index IS NULL', [id]);
    return rowCount === 1;
  }

  /** Deletes settled rows whose frontend never collected them (it died after the sequencer finished). */
  async sweepSettled(olderThanSeconds: number): Promise<void> {
    await this.#q(
      'DELETE FROM pending WHERE log_index IS NOT NULL AND created_at < now() - make_interval(secs => $1)',
      [olderThanSeconds],
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }

  #open(): void {
    if (this.#closed) throw new Error('log store is closed');
  }

  async #q<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []) {
    this.#open();
    try {
      return await this.pool.query<R>(sql, params);
    } catch (e) {
      throw unavailable(e);
    }
  }
}

async function insertEntries(client: pg.ClientBase, entries: StoredEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await client.query(
    'INSERT INTO entries (log_index, leaf_hash, integrated_time, body, set_sig, index_keys, att_type, att_data) ' +
      'SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bigint[], $4::bytea[], $5::bytea[], $6::text[], ' +
      '$7::text[], $8::bytea[])',
    [
      entries.map((e) => e.logIndex),
      entries.map((e) => e.leafHash),
      entries.map((e) => e.integratedTime),
      entries.map((e) => e.body),
      entries.map((e) => e.signedEntryTimestamp),
      entries.map((e) => JSON.stringify(e.indexKeys)),
      entries.map((e) => e.attestation?.mediaType ?? null),
      entries.map((e) => e.attestation?.data ?? null),
    ],
  );
  const keys = entries.flatMap((e) => e.indexKeys.map((k) => [k, e.logIndex] as const));
  if (keys.length > 0) {
    await client.query(
      'INSERT INTO index_keys (key, log_index) SELECT * FROM unnest($1::text[], $2::bigint[]) ON CONFLICT DO NOTHING',
      [keys.map((k) => k[0]), keys.map((k) => k[1])],
    );
  }
}

interface HeadRow {
  size: string;
  root_hash: Buffer;
  checkpoint: string;
}

interface EntryRow {
  log_index: string;
  leaf_hash: Buffer;
  integrated_time: string;
  body: Buffer;
  set_sig: Buffer;
  index_keys: string;
  att_type: string | null;
  att_data: Buffer | null;
}

interface PendingDbRow {
  id: string;
  leaf_hash: Buffer;
  body: Buffer;
  index_keys: string;
  att_type: string | null;
  att_data: Buffer | null;
}

const toHead = (r: HeadRow): TreeHead => ({ size: Number(r.size), rootHash: r.root_hash, checkpoint: r.checkpoint });

function toEntry(r: EntryRow): StoredEntry {
  const e: StoredEntry = {
    logIndex: Number(r.log_index),
    leafHash: r.leaf_hash,
    integratedTime: Number(r.integrated_time),
    body: r.body,
    signedEntryTimestamp: r.set_sig,
    indexKeys: JSON.parse(r.index_keys) as string[],
  };
  if (r.att_type !== null && r.att_data !== null) e.attestation = { mediaType: r.att_type, data: r.att_data };
  return e;
}
