import pg from 'pg';
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
import type { HandOff } from './hand-off.js';
import { PostgresHandOff } from './postgres-hand-off.js';
import { parseDatabaseUrl, unavailable, type PgTarget } from './postgres-connect.js';
import { migrate } from './postgres-schema.js';
import { concatFixed, pack } from './postgres-bytes.js';

/** NOTIFY channel of every batch commit (and duplicate marking): frontends collect their outcomes on it. */
export const SEQUENCED = 'signet_log_sequenced';

/**
 * The LogStore on PostgreSQL: same tables as SQLite plus `pending`, bulk writes with `unnest`, one transaction per
 * batch (durable at COMMIT with the server's default `synchronous_commit=on`). Connection failures surface as
 * pushback (503 + Retry-After); the pool reconnects by itself when the server returns.
 */
export class PostgresLogStore implements LogStore {
  readonly pool: pg.Pool;
  readonly target: PgTarget;
  readonly handOff: HandOff;
  #closed = false;

  private constructor(target: PgTarget) {
    this.target = target;
    this.pool = new pg.Pool(target.config);
    // An idle client losing its connection must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
    this.handOff = new PostgresHandOff(this);
  }

  /** Connects, applies migrations (idempotent, safe under concurrent starts) and returns the store. */
  static async open(url: string): Promise<PostgresLogStore> {
    const store = new PostgresLogStore(parseDatabaseUrl(url));
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

  async init(proposed: LogMeta): Promise<LogMeta> {
    await this.#q('INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [
      'tree_id',
      proposed.treeId,
    ]);
    const { rows } = await this.#q<{ value: string }>('SELECT value FROM meta WHERE key = $1', ['tree_id']);
    return { treeId: rows[0]!.value };
  }

  async meta(): Promise<LogMeta | undefined> {
    const { rows } = await this.#q<{ value: string }>('SELECT value FROM meta WHERE key = $1', ['tree_id']);
    return rows[0] && { treeId: rows[0].value };
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

  /**
   * One batch in ONE round trip: a single autocommit statement (data-modifying CTEs) writes the entries, index keys,
   * inner nodes, consumes the hand-off rows, moves the head and sends the wake-up; it is atomic and durable when it
   * returns (COMMIT with `synchronous_commit=on`). Round trips, not rows, bound the sequencer on PostgreSQL: each
   * costs two context switches on a loaded machine, and this used to be three (BEGIN with the head lock, the
   * statement, COMMIT). The checks that the BEGIN's `FOR UPDATE` made are in the statement: the head moves only
   * from the size this batch starts at (`ON CONFLICT ... WHERE`, re-checked on the newest row version, so two
   * writers cannot both extend the same size), and every claimed row must still be waiting; otherwise
   * `batch_check` raises and nothing of the batch is kept. Bodies and hashes travel as binary (postgres-bytes.ts).
   */
  async appendBatchOn(client: pg.ClientBase, b: Batch): Promise<void> {
    this.#open();
    const start = b.entries[0]?.logIndex ?? b.head.size;
    const claims = b.claims ?? [];
    const keys = b.entries.flatMap((e) => e.indexKeys.map((k) => [k, e.logIndex] as const));
    const bodies = pack(b.entries.map((e) => e.body));
    const sets = pack(b.entries.map((e) => e.signedEntryTimestamp));
    const atts = pack(b.entries.map((e) => e.attestation?.data));
    try {
      await client.query({
        name: 'signet_append_batch',
        text: APPEND_BATCH,
        values: [
          b.entries.map((e) => e.logIndex),
          concatFixed(
            b.entries.map((e) => e.leafHash),
            32,
          ),
          b.entries.map((e) => e.integratedTime),
          bodies.bytes,
          bodies.starts,
          bodies.lengths,
          sets.bytes,
          sets.starts,
          sets.lengths,
          b.entries.map((e) => JSON.stringify(e.indexKeys)),
          b.entries.map((e) => e.attestation?.mediaType ?? null),
          atts.bytes,
          atts.starts,
          atts.lengths,
          keys.map((k) => k[0]),
          keys.map((k) => k[1]),
          b.nodes.map((n) => n.level),
          b.nodes.map((n) => n.index),
          concatFixed(
            b.nodes.map((n) => n.hash),
            32,
          ),
          claims.map((c) => c.id),
          b.head.size,
          b.head.rootHash,
          b.head.checkpoint,
          start,
          this.target.schema,
        ],
      });
    } catch (e) {
      const { code, constraint } = e as { code?: unknown; constraint?: unknown };
      if (code === '23505' && constraint === 'entries_leaf_hash_key') throw new StoredLeafError({ cause: e });
      throw unavailable(e);
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
        : // One primary-key probe per id (a scalar subquery per row): a join let the planner hash the whole
          // `nodes` table, a sequential scan per call that grows with the log.
          this.#q<{ level: number; idx: string; hash: Buffer | null }>(
            'SELECT u.level, u.idx, (SELECT n.hash FROM nodes n WHERE n.level = u.level AND n.idx = u.idx) AS hash ' +
              'FROM unnest($1::smallint[], $2::bigint[]) AS u(level, idx)',
            [inner.map((i) => i.level), inner.map((i) => i.index)],
          ),
    ]);
    for (const r of a.rows) out.set(nodeKey(0, Number(r.log_index)), r.leaf_hash);
    for (const r of b.rows) if (r.hash !== null) out.set(nodeKey(r.level, Number(r.idx)), r.hash);
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

  async searchIndexPage(keys: string[], limit: number, before = Number.MAX_SAFE_INTEGER): Promise<number[]> {
    if (keys.length === 0 || limit <= 0) return [];
    // One backward range scan of the primary key per key (LATERAL ... LIMIT), not every hit of every key.
    const { rows } = await this.#q<{ log_index: string }>(
      'SELECT DISTINCT s.log_index FROM unnest($1::text[]) AS k(key) CROSS JOIN LATERAL (' +
        'SELECT log_index FROM index_keys i WHERE i.key = k.key AND i.log_index < $2 ' +
        'ORDER BY i.log_index DESC LIMIT $3) s ORDER BY s.log_index DESC LIMIT $3',
      [[...new Set(keys)], before, limit],
    );
    return rows.map((r) => Number(r.log_index));
  }

  async ping(): Promise<void> {
    await this.#q('SELECT 1');
  }

  async putCosignature(c: Cosignature): Promise<void> {
    await this.#q(
      'INSERT INTO cosignatures (witness, tree_size, root_hash, line) VALUES ($1, $2, $3, $4) ON CONFLICT (witness) ' +
        'DO UPDATE SET tree_size = excluded.tree_size, root_hash = excluded.root_hash, line = excluded.line',
      [c.witness, c.size, c.rootHash, c.line],
    );
  }

  async cosignatures(size: number, rootHash: Buffer): Promise<Cosignature[]> {
    const { rows } = await this.#q<{ witness: string; line: string }>(
      'SELECT witness, line FROM cosignatures WHERE tree_size = $1 AND root_hash = $2 ORDER BY witness',
      [size, rootHash],
    );
    return rows.map((r) => ({ witness: r.witness, size, rootHash, line: r.line }));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.handOff.close();
    await this.pool.end();
  }

  #open(): void {
    if (this.#closed) throw new Error('log store is closed');
  }

  /** One statement on the pool; a lost database is pushback (503). */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string | pg.QueryConfig, params: unknown[] = []) {
    return this.#q<R>(sql, params);
  }

  async #q<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string | pg.QueryConfig, params: unknown[] = []) {
    this.#open();
    try {
      return await this.pool.query<R>(sql, params);
    } catch (e) {
      throw unavailable(e);
    }
  }
}

/**
 * The batch statement of `appendBatchOn`. Prepared by name once per connection (the sequencer's session runs it for
 * every batch, so PostgreSQL parses and plans it once). `$24` is the size the batch starts at.
 */
const APPEND_BATCH = `
WITH u AS (
  SELECT * FROM unnest($1::bigint[], $3::bigint[], $5::int[], $6::int[], $8::int[], $9::int[], $10::text[],
                       $11::text[], $13::int[], $14::int[])
    WITH ORDINALITY AS u(log_index, integrated_time, body_at, body_len, set_at, set_len, index_keys, att_type,
                         att_at, att_len, n)),
e AS (
  INSERT INTO entries (log_index, leaf_hash, integrated_time, body, set_sig, index_keys, att_type, att_data)
  SELECT log_index, substring($2::bytea FROM (n * 32 - 31)::int FOR 32), integrated_time,
         substring($4::bytea FROM body_at FOR body_len), substring($7::bytea FROM set_at FOR set_len), index_keys,
         att_type, substring($12::bytea FROM att_at FOR att_len)
    FROM u),
k AS (
  INSERT INTO index_keys (key, log_index) SELECT * FROM unnest($15::text[], $16::bigint[]) ON CONFLICT DO NOTHING),
n AS (
  INSERT INTO nodes (level, idx, hash)
  SELECT level, idx, substring($19::bytea FROM (n * 32 - 31)::int FOR 32)
    FROM unnest($17::smallint[], $18::bigint[]) WITH ORDINALITY AS x(level, idx, n)),
c AS (
  DELETE FROM pending WHERE id = ANY($20::bigint[]) AND log_index IS NULL RETURNING 1),
before AS (
  SELECT size FROM head WHERE id = 1),
h AS (
  INSERT INTO head (id, size, root_hash, checkpoint) VALUES (1, $21, $22, $23) ON CONFLICT (id) DO UPDATE
     SET size = excluded.size, root_hash = excluded.root_hash, checkpoint = excluded.checkpoint
   WHERE head.size = $24
  RETURNING 1)
SELECT batch_check(coalesce((SELECT size FROM before), 0) = $24 AND (SELECT count(*) FROM h) = 1,
                   'batch starts at index ' || $24 || ', the tree has ' || coalesce((SELECT size FROM before), 0) ||
                   ' entries'),
       batch_check((SELECT count(*) FROM c) = cardinality($20::bigint[]),
                   'only ' || (SELECT count(*) FROM c) || ' of ' || cardinality($20::bigint[]) ||
                   ' queued entries are still waiting; batch abandoned'),
       pg_notify('${SEQUENCED}', $25)`;

export interface HeadRow {
  size: string;
  root_hash: Buffer;
  checkpoint: string;
}

export interface EntryRow {
  log_index: string;
  leaf_hash: Buffer;
  integrated_time: string;
  body: Buffer;
  set_sig: Buffer;
  index_keys: string;
  att_type: string | null;
  att_data: Buffer | null;
}

export const toHead = (r: HeadRow): TreeHead => ({
  size: Number(r.size),
  rootHash: r.root_hash,
  checkpoint: r.checkpoint,
});

export function toEntry(r: EntryRow): StoredEntry {
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
