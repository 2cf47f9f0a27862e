import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics/index.js';

/** What every stack service gets from `signet up` or its own `serve` command. */
export interface ServiceContext {
  /** Directory for this service's durable state (keys, SQLite files). Created by the caller. */
  dataDir: string;
  /** PostgreSQL URL; when set, stores that support it use PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  /** The URL clients reach the server at, without a trailing slash (e.g. http://localhost:3000). */
  publicUrl: string;
  logger: Logger;
  /** The process's metrics registry (served at /metrics); a service without one reports nowhere. */
  metrics?: Metrics;
}

/**
 * A part of the stack mounted on a shared HTTP server. `register` adds routes (in its own encapsulated context,
 * so error handlers and body limits do not leak between services); `close` finishes in-flight work and releases
 * storage.
 */
export interface Service {
  readonly name: string;
  register(app: FastifyInstance): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs every step in order even when one fails, then throws the first failure: a step skipped after a failure may
 * be the one that releases what keeps the process alive (a database session, a worker thread).
 */
export async function closeAll(steps: ReadonlyArray<(() => Promise<void> | void) | undefined>): Promise<void> {
  const failures: unknown[] = [];
  for (const step of steps) {
    try {
      await step?.();
    } catch (e) {
      failures.push(e);
    }
  }
  if (failures.length > 0) throw failures[0];
}

/** Closes services last started first (each may use those started before it), every one even after a failure. */
export function closeServices(services: readonly Service[]): Promise<void> {
  return closeAll([...services].reverse().map((s) => () => s.close()));
}
