import type pg from 'pg';

/**
 * Versioned schema migrations, applied in order on start. Append new versions; never edit an applied one.
 * `pending` is the hand-off from frontends to the elected sequencer (src/log/storage/hand-off.ts): a row per
 * admitted entry; the sequencer fills `log_index` (and `duplicate`) in the same transaction as the batch.
 */
export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  {
    version: 1,
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE head (
  id INTEGER PRIMARY KEY CHECK (id = 1), size BIGINT NOT NULL, root_hash BYTEA NOT NULL, checkpoint TEXT NOT NULL);
CREATE TABLE entries (
  log_index BIGINT PRIMARY KEY, leaf_hash BYTEA NOT NULL UNIQUE, integrated_time BIGINT NOT NULL,
  body BYTEA NOT NULL, set_sig BYTEA NOT NULL, index_keys TEXT NOT NULL, att_type TEXT, att_data BYTEA);
CREATE TABLE nodes (level SMALLINT NOT NULL, idx BIGINT NOT NULL, hash BYTEA NOT NULL, PRIMARY KEY (level, idx));
CREATE TABLE index_keys (key TEXT NOT NULL, log_index BIGINT NOT NULL, PRIMARY KEY (key, log_index));
CREATE TABLE pending (
  id BIGSERIAL PRIMARY KEY, leaf_hash BYTEA NOT NULL, body BYTEA NOT NULL, index_keys TEXT NOT NULL,
  att_type TEXT, att_data BYTEA, log_index BIGINT, duplicate BOOLEAN NOT NULL DEFAULT FALSE,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE UNIQUE INDEX pending_unsequenced_leaf ON pending (leaf_hash) WHERE log_index IS NULL;
CREATE INDEX pending_done ON pending (created_at) WHERE log_index IS NOT NULL;
`,
  },
  {
    // Several rows may wait with the same leaf (the sequencer marks all but one duplicates, so each gets an
    // outcome); witness cosignatures are shared by every frontend.
    version: 2,
    sql: `
DROP INDEX pending_unsequenced_leaf;
CREATE INDEX pending_waiting ON pending (id) WHERE log_index IS NULL;
CREATE TABLE cosignatures (
  witness TEXT PRIMARY KEY, tree_size BIGINT NOT NULL, root_hash BYTEA NOT NULL, line TEXT NOT NULL);
`,
  },
  {
    // A batch is one autocommit statement (no BEGIN/COMMIT round trips); its checks (the head it extends, every
    // claimed row still waiting) fail the statement, and with it the whole batch, through this function. From this
    // version on, a sequenced row is deleted by its batch (only duplicates keep a row with a log_index): frontends
    // of earlier versions cannot collect such outcomes, so upgrade every frontend together.
    version: 3,
    sql: `
CREATE FUNCTION batch_check(ok BOOLEAN, message TEXT) RETURNS BOOLEAN LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN RAISE EXCEPTION USING MESSAGE = message, ERRCODE = 'P0001'; END IF;
  RETURN TRUE;
END $$;
`,
  },
];

/** Advisory-lock key for migrations (any constant; scoped by schema name via hashtext). */
const MIGRATE_LOCK = 0x5167_6e65;

/**
 * Creates the schema and applies missing migrations in one transaction under a transaction-level advisory lock, so
 * several processes starting at once apply each version exactly once and the others wait, then see it applied.
 */
export async function migrate(client: pg.PoolClient, schema: string): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATE_LOCK, schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "${schema}".schema_migrations (
         version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ v: number | null }>(
      `SELECT max(version) AS v FROM "${schema}".schema_migrations`,
    );
    const current = rows[0]?.v ?? 0;
    for (const m of MIGRATIONS) {
      if (m.version <= current) continue;
      await client.query(`SET LOCAL search_path TO "${schema}"`);
      await client.query(m.sql);
      await client.query(`INSERT INTO "${schema}".schema_migrations (version) VALUES ($1)`, [m.version]);
    }
    await client.query('COMMIT');
    return MIGRATIONS[MIGRATIONS.length - 1]!.version;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  }
}
