import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Service, ServiceContext } from '../http/service.js';
import { hostnameOf, loadOrCreateLogKey, type LogKeyType } from './identity.js';
import { rekorApi } from './http/routes.js';
import { TransparencyLog } from './log.js';
import { SqliteLogStore } from './storage/sqlite.js';
import type { LogStore } from './storage/store.js';

export interface LogServiceOptions {
  /** Largest accepted request body (default 32 MiB, Rekor's public ingress limit). */
  maxBodyBytes?: number;
  /** Key type for a NEW log key; an existing key file is always reused. */
  keyType?: LogKeyType;
  /** Storage to use instead of `<dataDir>/log.db` (PostgreSQL, tests). */
  store?: LogStore;
  maxBatch?: number;
  maxPending?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;
export const LOG_DB_FILE = 'log.db';

/** A Service with the log itself exposed, for stacks that need its public key or tree ID. */
export interface LogService extends Service {
  readonly log: TransparencyLog;
  ready(): Promise<void>;
}

/**
 * The transparency log as a stack service: key and SQLite database under `ctx.dataDir` (created on first start,
 * reused after), the Rekor v1 API on the shared server. `close` drains the sequencer, then closes storage.
 */
export async function createLogService(ctx: ServiceContext, options: LogServiceOptions = {}): Promise<LogService> {
  mkdirSync(ctx.dataDir, { recursive: true, mode: 0o700 });
  const identity = loadOrCreateLogKey(ctx.dataDir, options.keyType);
  const store = options.store ?? new SqliteLogStore(join(ctx.dataDir, LOG_DB_FILE));
  let log: TransparencyLog;
  try {
    log = await TransparencyLog.open({
      store,
      identity,
      hostname: hostnameOf(ctx.publicUrl),
      maxBatch: options.maxBatch,
      maxPending: options.maxPending,
    });
  } catch (e) {
    await store.close();
    throw e;
  }
  ctx.logger.info({ treeID: log.treeId, logID: identity.logId, size: log.info().head.size }, 'transparency log ready');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return {
    name: 'log',
    log,
    async register(app: FastifyInstance) {
      await app.register(rekorApi(log, { maxBodyBytes }));
    },
    ready: () => log.ready(),
    async close() {
      await log.close();
      await store.close();
    },
  };
}
