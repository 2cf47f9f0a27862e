import pg from 'pg';
import {
  nodeKey,
  type Batch,
  type Cosignature,
  type LogMeta,
  type LogStore,
  type StoredEntry,
  type TreeHead,
} from './store.js';
import type { HandOff } from './hand-off.js';
import { PostgresHandOff, SEQUENCED } from './postgres-hand-off.js';
import { parseDatabaseUrl, unavailable, type PgTarget } from './postgres-connect.js';
import { migrate } from './postgres-schema.js';

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
   * One batch in three round trips: BEGIN with the head lock, one statement that writes everything (entries, index
   * keys, inner nodes, the hand-off rows it consumes, the head, the wake-up), COMMIT. Round trips, not rows, bound
   * the sequencer on PostgreSQL: each costs two context switches on a loaded machine.
   */
  async appendBatchOn(client: pg.ClientBase, b: Batch): Promise<void> {
    this.#open();
    try {
      // No parameters: BEGIN and the lock travel in one simple-protocol message. FOR UPDATE serialises sequencers:
      // a deposed one fails the index check instead of interleaving.
      const begun = (await client.query('BEGIN; SELECT size FROM head WHERE id = 1 FOR UPDATE')) as unknown as [
        pg.QueryResult,
        pg.QueryResult<{ size: string }>,
      ];
      const expected = Number(begun[1].rows[0]?.size ?? 0);
      if (b.entries.length > 0 && b.entries[0]!.logIndex !== expected) {
        throw new Error(`batch starts at index ${b.entries[0]!.logIndex}, the tree has ${expected} entries`);
      }
      const claims = b.claims ?? [];
      const keys = b.entries.flatMap((e) => e.indexKeys.map((k) => [k, e.logIndex] as const));
      const { rows } = await client.query<{ claimed: string }>(
        `WITH e AS (
           INSERT INTO entries (log_index, leaf_hash, integrated_time, body, set_sig, index_keys, att_type, att_data)
           SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bigint[], $4::bytea[], $5::bytea[], $6::text[],
                                $7::text[], $8::bytea[])),
         k AS (
           INSERT INTO index_keys (key, log_index) SELECT * FROM unnest($9::text[], $10::bigint[])
           ON CONFLICT DO NOTHING),
         n AS (
           INSERT INTO nodes (level, idx, hash) SELECT * FROM unnest($11::smallint[], $12::bigint[], $13::bytea[])),
         c AS (
           UPDATE pending p SET log_index = u.log_index FROM unnest($14::bigint[], $15::bigint[]) AS u(id, log_index)
            WHERE p.id = u.id AND p.log_index IS NULL RETURNING 1),
         h AS (
           INSERT INTO head (id, size, root_hash, checkpoint) VALUES (1, $16, $17, $18) ON CONFLICT (id) DO UPDATE
              SET size = excluded.size, root_hash = excluded.root_hash, checkpoint = excluded.checkpoint)
         SELECT (SELECT count(*) FROM c) AS claimed, pg_notify('${SEQUENCED}', $19)`,
        [
          b.entries.map((e) => e.logIndex),
          b.entries.map((e) => e.leafHash),
          b.entries.map((e) => e.integratedTime),
          b.entries.map((e) => e.body),
          b.entries.map((e) => e.signedEntryTimestamp),
          b.entries.map((e) => JSON.stringify(e.indexKeys)),
          b.entries.map((e) => e.attestation?.mediaType ?? null),
          b.entries.map((e) => e.attestation?.data ?? null),
          keys.map((k) => k[0]),
          keys.map((k) => k[1]),
          b.nodes.map((n) => n.level),
          b.nodes.map((n) => n.index),
          b.nodes.map((n) => n.hash),
          claims.map((c) => c.id),
          claims.map((c) => c.logIndex),
          b.head.size,
          b.head.rootHash,
          b.head.checkpoint,
          this.target.schema,
        ],
      );
      const claimed = Number(rows[0]?.claimed ?? 0);
      if (claimed !== claims.length) {
        throw new Error(`only ${claimed} of ${claims.length} queued entries are still waiting; batch abandoned`);
      }
      await client.query('COMMIT');
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
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
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params: unknown[] = []) {
    return this.#q<R>(sql, params);
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

/** Records the outcome of the hand-off rows a batch consumes; all of them must still be waiting. */
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
