import pg from 'pg';
import { SignetError, invalidInput, invalidOption } from '../../errors.js';

/** A parsed `postgres://` URL: the pool settings plus the schema every statement runs in. */
export interface PgTarget {
  config: pg.PoolConfig;
  schema: string;
}

/**
 * Accepts `postgres://user@host:port/db?schema=name` (signet's own parameter, removed before connecting) or the
 * libpq spelling `?options=-c search_path=name`. The schema must be a plain identifier: it is quoted into DDL.
 */
export function parseDatabaseUrl(url: string): PgTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalidOption('databaseUrl', 'the database URL is not a URL (expected postgres://user@host:port/database)');
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw invalidOption('databaseUrl', `the database URL must be a postgres:// URL, not ${u.protocol}`);
  }
  let schema = u.searchParams.get('schema') ?? undefined;
  u.searchParams.delete('schema');
  const options = u.searchParams.get('options');
  const fromOptions = options ? /search_path\s*=\s*([A-Za-z0-9_]+)/.exec(options)?.[1] : undefined;
  schema ??= fromOptions ?? 'public';
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema))
    throw invalidInput(`schema name ${JSON.stringify(schema)} is invalid`);
  u.searchParams.delete('options');
  const config: pg.PoolConfig = {
    connectionString: u.toString(),
    options: `-c search_path=${schema}`,
    max: 8,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: true,
    // A dead server must not hang requests: fail the query and answer 503.
    query_timeout: 15_000,
  };
  return { config, schema };
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH']);

/** True for errors that mean "the database is not reachable right now" rather than a bad statement. */
export function isConnectionError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  const code = (e as { code?: string }).code;
  if (code && CONNECTION_CODES.has(code)) return true;
  // SQLSTATE class 08 (connection exception), 57P01..57P03 (admin shutdown, crash shutdown, cannot connect now).
  if (code && (/^08/.test(code) || /^57P0[123]$/.test(code))) return true;
  return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Query read timeout/i.test(
    e.message,
  );
}

/**
 * Maps a lost database, or one whose disk is full, to pushback (503 + Retry-After) so load balancers and clients
 * retry; anything else stays as it is (a bug: 500).
 */
export function unavailable(e: unknown): unknown {
  // SQLSTATE 53100 disk_full: "could not extend file ...: No space left on device". Nothing of the failed
  // statement's transaction is kept, so the tree is as it was; writes work again once space is freed.
  if ((e as { code?: unknown } | undefined)?.code === '53100') {
    return new SignetError('pushback', 'the log database is out of disk space; retry later', {
      cause: e,
      detail: { retryAfter: '30' },
    });
  }
  if (!isConnectionError(e)) return e;
  return new SignetError('pushback', 'the log database is unavailable; retry shortly', {
    cause: e,
    detail: { retryAfter: '2' },
  });
}
