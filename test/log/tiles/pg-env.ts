import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The development/CI PostgreSQL (trust auth); override with SIGNET_TEST_DATABASE_URL. */
export const PG_URL = process.env.SIGNET_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** True when the test database answers within a second. */
export async function pgReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    await c.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

/** A fresh schema name and its URL; call `drop` in an `after` hook. */
export function testSchema(prefix = 'signet_t'): { schema: string; url: string; drop: () => Promise<void> } {
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const url = `${PG_URL}?schema=${schema}`;
  return { schema, url, drop: () => dropSchema(schema) };
}

export async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await c.end();
  }
}

/** A URL of `url` whose sessions carry a name of their own, and a count of that name's open sessions. */
export function namedSessions(url: string): { url: string; count: () => Promise<number> } {
  const name = `signet_t_${randomBytes(6).toString('hex')}`;
  return {
    url: `${url}${url.includes('?') ? '&' : '?'}application_name=${name}`,
    count: async () => {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      try {
        const { rows } = await c.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
          [name],
        );
        return rows[0]!.n;
      } finally {
        await c.end();
      }
    },
  };
}
