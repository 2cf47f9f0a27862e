import pg from 'pg';
import type { Collected, HandOff, HandOffEntry, Lease, Outcome, WaitingRow } from './hand-off.js';
import { SEQUENCED, toHead, type PostgresLogStore } from './postgres.js';
import { concatFixed, pack } from './postgres-bytes.js';
import type { TreeHead, TreeNode } from './store.js';

/** Advisory-lock class id for the sequencer role; the object id is hashtext(schema), so each log has its own. */
const SEQUENCER_LOCK = 0x5167_6e66;
const WAITING = 'signet_log_pending';
/** Least time between two VACUUMs of the queue by the sequencer. */
const VACUUM_EVERY_MS = 1000;
/** Rows read off the queue since the last VACUUM before another is worth it. */
const VACUUM_AFTER_ROWS = 256;

/**
 * The HandOff contract (src/log/storage/hand-off.ts) on PostgreSQL: the `pending` table is the queue, a session
 * advisory lock is the sequencer role (and the batches commit over that same session, so a holder that lost it
 * cannot write), LISTEN/NOTIFY wakes the sequencer and the frontends. Every method is one round trip.
 */
export class PostgresHandOff implements HandOff {
  readonly #store: PostgresLogStore;
  #listener: pg.Client | undefined;
  #candidate: pg.Client | undefined;
  #closed = false;
  #vacuumedAt = Date.now();
  #vacuuming = false;
  #churn = 0;

  constructor(store: PostgresLogStore) {
    this.#store = store;
  }

  async enqueue(entries: HandOffEntry[]): Promise<string[]> {
    if (entries.length === 0) return [];
    const bodies = pack(entries.map((e) => e.body));
    const atts = pack(entries.map((e) => e.attestation?.data));
    // One statement: the rows and the wake-up (NOTIFY is delivered at commit). WITH ORDINALITY keeps the order.
    const { rows } = await this.#store.query<{ id: string }>(
      {
        name: 'signet_enqueue',
        text: `WITH ins AS (
           INSERT INTO pending (leaf_hash, body, index_keys, att_type, att_data)
           SELECT substring($1::bytea FROM (n * 32 - 31)::int FOR 32), substring($2::bytea FROM body_at FOR body_len),
                  index_keys, att_type, substring($7::bytea FROM att_at FOR att_len)
             FROM unnest($3::int[], $4::int[], $5::text[], $6::text[], $8::int[], $9::int[])
               WITH ORDINALITY AS u(body_at, body_len, index_keys, att_type, att_at, att_len, n)
            ORDER BY n
           RETURNING id)
         SELECT id FROM ins, (SELECT pg_notify('${WAITING}', $10)) AS wake ORDER BY id`,
      },
      [
        concatFixed(
          entries.map((e) => e.leafHash),
          32,
        ),
        bodies.bytes,
        bodies.starts,
        bodies.lengths,
        entries.map((e) => JSON.stringify(e.indexKeys)),
        entries.map((e) => e.attestation?.mediaType ?? null),
        atts.bytes,
        atts.starts,
        atts.lengths,
        this.#store.target.schema,
      ],
    );
    // BIGSERIAL values are drawn in insertion order within one statement, so ascending ids follow `entries`.
    if (rows.length !== entries.length) throw new Error(`queued ${rows.length} of ${entries.length} entries`);
    return rows.map((r) => r.id);
  }

  async waiting(limit: number, skip: string[] = []): Promise<WaitingRow[]> {
    // Skipping by id, not reading from the last id seen: ids are drawn at INSERT, and rows commit out of that order.
    const { rows } = await this.#store.query<PendingDbRow>(
      {
        name: 'signet_waiting',
        text:
          'SELECT id, leaf_hash, body, index_keys, att_type, att_data FROM pending ' +
          'WHERE log_index IS NULL AND id <> ALL($2::bigint[]) ORDER BY id LIMIT $1',
      },
      [limit, skip],
    );
    this.#tidy(rows.length);
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

  /**
   * Every queued row is inserted, updated once (its outcome) and deleted: under load the table is mostly dead row
   * versions, which every read of the waiting rows walks through (measured: ~330 index entries read per read of a
   * few dozen waiting rows) until autovacuum comes by, once a minute at best. The sequencer vacuums it itself,
   * at most once a second while rows flow; VACUUM takes no lock that blocks the frontends' writes.
   */
  #tidy(rowsRead: number): void {
    this.#churn += rowsRead;
    const now = Date.now();
    if (this.#vacuuming || this.#churn < VACUUM_AFTER_ROWS || now - this.#vacuumedAt < VACUUM_EVERY_MS) return;
    this.#vacuuming = true;
    this.#vacuumedAt = now;
    this.#churn = 0;
    void this.#store
      .query('VACUUM pending')
      .catch(() => undefined)
      .finally(() => (this.#vacuuming = false));
  }

  async markDuplicates(rows: Array<{ id: string; logIndex: number }>): Promise<void> {
    if (rows.length === 0) return;
    await this.#store.query(
      `WITH upd AS (
         UPDATE pending p SET log_index = u.log_index, duplicate = TRUE
           FROM unnest($1::bigint[], $2::bigint[]) AS u(id, log_index)
          WHERE p.id = u.id AND p.log_index IS NULL RETURNING 1)
       SELECT count(*), pg_notify('${SEQUENCED}', $3) FROM upd`,
      [rows.map((r) => r.id), rows.map((r) => r.logIndex), this.#store.target.schema],
    );
  }

  async collect(waiters: ReadonlyArray<{ id: string; leafHash: Buffer }>, nodesSince: number): Promise<Collected> {
    const outcomes = new Map<string, Outcome>();
    // One read, one snapshot: a batch deletes the rows it consumes and inserts their entries atomically, so a row
    // that is gone while an entry with its leaf is present was sequenced from that row; the head read with them is
    // at least the one committed with them. Rows still present with a log index are duplicates (or sequenced, by a
    // sequencer of an earlier version); `sweep` deletes them later. Writing nothing, it commits (fsyncs) nothing.
    const { rows } = await this.#store.query<CollectRow>(COLLECT, [
      waiters.map((w) => w.id),
      concatFixed(
        waiters.map((w) => w.leafHash),
        32,
      ),
      nodesSince,
    ]);
    for (const r of rows) {
      if (r.id === null) continue;
      const logIndex = Number(r.log_index);
      if (r.duplicate) outcomes.set(r.id, { duplicate: true, logIndex });
      else if (r.set_sig !== null && r.integrated_time !== null) {
        const integratedTime = Number(r.integrated_time);
        outcomes.set(r.id, { duplicate: false, logIndex, integratedTime, signedEntryTimestamp: r.set_sig });
      }
    }
    const h = rows[0];
    if (!h) return { outcomes, head: undefined };
    const head = toHead(h);
    const lo = Number(h.nodes_from);
    const nodes = lo < head.size ? freshNodes(lo, head.size, h.leaves, h.inner_nodes) : [];
    return { outcomes, head, ...(nodes ? { nodes } : {}) };
  }

  async withdraw(id: string): Promise<boolean> {
    const { rowCount } = await this.#store.query('DELETE FROM pending WHERE id = $1 AND log_index IS NULL', [id]);
    return rowCount === 1;
  }

  async sweep(olderThanSeconds: number): Promise<void> {
    await this.#store.query(
      'DELETE FROM pending WHERE log_index IS NOT NULL AND created_at < now() - make_interval(secs => $1)',
      [olderThanSeconds],
    );
  }

  async lease(): Promise<Lease | undefined> {
    if (this.#closed) return undefined;
    if (!this.#candidate) {
      const c = new pg.Client(this.#store.target.config);
      c.on('error', () => undefined);
      await c.connect().catch((e: unknown) => {
        void c.end().catch(() => undefined);
        throw e;
      });
      if (this.#closed) {
        await c.end().catch(() => undefined);
        return undefined;
      }
      this.#candidate = c;
    }
    const c = this.#candidate;
    const { rows } = await c.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [
      SEQUENCER_LOCK,
      this.#store.target.schema,
    ]);
    // Closed meanwhile: close() ends this session, and the lock with it.
    if (!rows[0]?.ok || this.#closed) return undefined;
    this.#candidate = undefined;
    return new PostgresLease(this.#store, c);
  }

  async leaderKnown(): Promise<boolean> {
    const { rows } = await this.#store.query<{ held: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
         AND classid = $1::bigint::oid AND objid = hashtext($2)::oid AND objsubid = 2) AS held`,
      [SEQUENCER_LOCK, this.#store.target.schema],
    );
    return rows[0]?.held === true;
  }

  async listen(handlers: { onWaiting(): void; onSequenced(): void }): Promise<void> {
    if (this.#closed) return;
    const c = new pg.Client(this.#store.target.config);
    // Channels are per database; the payload names the log's schema, so other logs' wake-ups are ignored.
    c.on('notification', (n) => {
      if (n.payload !== this.#store.target.schema) return;
      if (n.channel === WAITING) handlers.onWaiting();
      else handlers.onSequenced();
    });
    c.on('error', () => undefined);
    // A lost listener is replaced; until then the appender's tick polls.
    c.on('end', () => {
      if (this.#listener !== c || this.#closed) return;
      this.#listener = undefined;
      setTimeout(() => void this.listen(handlers).catch(() => undefined), 1000).unref();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${WAITING}`);
      await c.query(`LISTEN ${SEQUENCED}`);
    } catch (e) {
      await c.end().catch(() => undefined);
      throw e;
    }
    // Closed while this (re)connected: the session would otherwise outlive close() and keep the process alive.
    if (this.#closed) await c.end().catch(() => undefined);
    else this.#listener = c;
  }

  async close(): Promise<void> {
    this.#closed = true;
    const clients = [this.#listener, this.#candidate];
    this.#listener = this.#candidate = undefined;
    for (const c of clients) await c?.end().catch(() => undefined);
  }
}

/** The sequencer role: the session holding the advisory lock, over which every batch commits. */
class PostgresLease implements Lease {
  readonly store;
  readonly #client: pg.Client;
  #lost: Array<() => void> = [];
  #ended = false;

  constructor(pgStore: PostgresLogStore, client: pg.Client) {
    this.#client = client;
    const lost = () => {
      if (this.#ended) return;
      this.#ended = true;
      for (const l of this.#lost.splice(0)) l();
    };
    client.on('error', lost);
    client.on('end', lost);
    this.store = {
      head: () => pgStore.head(),
      setHead: (h: TreeHead) => pgStore.setHead(h),
      indexesByLeafHash: (h: Buffer[]) => pgStore.indexesByLeafHash(h),
      appendBatch: (b: Parameters<PostgresLogStore['appendBatchOn']>[1]) => pgStore.appendBatchOn(client, b),
      checksLeaves: true,
    };
  }

  onLost(listener: () => void): void {
    if (this.#ended) listener();
    else this.#lost.push(listener);
  }

  async release(): Promise<void> {
    this.#ended = true;
    this.#lost = [];
    await this.#client.end();
  }
}

interface PendingDbRow {
  id: string;
  leaf_hash: Buffer;
  body: Buffer;
  index_keys: string;
  att_type: string | null;
  att_data: Buffer | null;
}

/**
 * So a frontend can prove the entries it collects without a read of its own, `collect` also returns the tree nodes
 * completed since the size the frontend last saw, at most this many leaves' worth (after a long quiet spell, the
 * proofs' older nodes are read as before).
 */
const NODES_SINCE_MAX = 1024;

const COLLECT = {
  name: 'signet_collect',
  text: `WITH w AS (
     SELECT id, substring($2::bytea FROM (n * 32 - 31)::int FOR 32) AS leaf
       FROM unnest($1::bigint[]) WITH ORDINALITY AS w(id, n)),
   done AS (
     SELECT w.id, e.log_index, FALSE AS duplicate, e.integrated_time, e.set_sig FROM w
       CROSS JOIN LATERAL (
         SELECT log_index, integrated_time, set_sig FROM entries WHERE leaf_hash = w.leaf LIMIT 1) e
      WHERE NOT EXISTS (SELECT 1 FROM pending p WHERE p.id = w.id)
     UNION ALL
     SELECT p.id, p.log_index, p.duplicate, e.integrated_time, e.set_sig FROM pending p
       LEFT JOIN LATERAL (
         -- LIMIT keeps this a primary-key probe per row; as a join the planner may scan all of entries.
         SELECT integrated_time, set_sig FROM entries WHERE log_index = p.log_index AND NOT p.duplicate LIMIT 1
       ) e ON TRUE
      WHERE p.id = ANY($1::bigint[]) AND p.log_index IS NOT NULL),
   tree AS (
     SELECT greatest($3::bigint, h.size - ${NODES_SINCE_MAX}) AS lo, h.size AS hi FROM head h WHERE h.id = 1),
   -- MATERIALIZED: computed once, not once per outcome row.
   fresh AS MATERIALIZED (
     SELECT t.lo,
            (SELECT string_agg(leaf_hash, ''::bytea ORDER BY log_index) FROM entries
              WHERE log_index >= t.lo AND log_index < t.hi) AS leaves,
            -- One range of the primary key per level with something new; the LIMIT keeps it a range scan (as a
            -- join, the planner hashed the whole nodes table).
            (SELECT string_agg(x.hash, ''::bytea ORDER BY x.level, x.idx)
               FROM generate_series(1, 62) AS l(level) CROSS JOIN LATERAL (
                 SELECT level, idx, hash FROM nodes
                  WHERE level = l.level AND idx >= (t.lo >> l.level) AND idx < (t.hi >> l.level)
                  ORDER BY idx LIMIT greatest((t.hi >> l.level) - (t.lo >> l.level), 0)) x
              WHERE (t.lo >> l.level) < (t.hi >> l.level)) AS inner_nodes
       FROM tree t)
   SELECT d.id, d.log_index, d.duplicate, d.integrated_time, d.set_sig, h.size, h.root_hash, h.checkpoint,
          f.lo AS nodes_from, f.leaves, f.inner_nodes
     FROM head h CROSS JOIN fresh f LEFT JOIN done d ON TRUE
    WHERE h.id = 1`,
};

/** The nodes completed between sizes `lo` and `hi`, from leaf hashes and inner hashes in (level, index) order. */
function freshNodes(lo: number, hi: number, leaves: Buffer | null, inner: Buffer | null): TreeNode[] | undefined {
  const out: TreeNode[] = [];
  const leafBytes = leaves ?? Buffer.alloc(0);
  const innerBytes = inner ?? Buffer.alloc(0);
  if (leafBytes.length !== (hi - lo) * 32) return undefined;
  for (let i = 0; i < hi - lo; i++)
    out.push({ level: 0, index: lo + i, hash: leafBytes.subarray(i * 32, i * 32 + 32) });
  let at = 0;
  for (let level = 1; level <= 62; level++) {
    // Level-l nodes are complete for indexes below floor(size / 2^l); Math.floor keeps this exact past 2^31.
    const from = Math.floor(lo / 2 ** level);
    const to = Math.floor(hi / 2 ** level);
    for (let index = from; index < to; index++, at += 32) {
      if (at + 32 > innerBytes.length) return undefined;
      out.push({ level, index, hash: innerBytes.subarray(at, at + 32) });
    }
  }
  return at === innerBytes.length ? out : undefined;
}

interface CollectRow {
  nodes_from: string;
  leaves: Buffer | null;
  inner_nodes: Buffer | null;
  id: string | null;
  log_index: string;
  duplicate: boolean;
  integrated_time: string | null;
  set_sig: Buffer | null;
  size: string;
  root_hash: Buffer;
  checkpoint: string;
}
