import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Service, ServiceContext } from '../http/index.js';
import { availableParallelism } from 'node:os';
import { createAdmitPool } from './admit-pool.js';
import { hostnameOf, loadOrCreateLogKey, type LogKeyType } from './identity.js';
import { rekorApi } from './http/routes.js';
import { TransparencyLog } from './log.js';
import { SqliteLogStore } from './storage/sqlite.js';
import type { LogStore } from './storage/store.js';
import { PostgresLogStore } from './storage/postgres.js';
import { postgresFrontend, type ElectionOptions } from './election.js';
import type { SequencerOptions } from './sequencer.js';
import { tileApi } from './tiles/routes.js';
import { CheckpointPublisher } from './witness/publisher.js';

export interface LogServiceOptions {
  /** Largest accepted request body (default 32 MiB, Rekor's public ingress limit). */
  maxBodyBytes?: number;
  /** Key type for a NEW log key; an existing key file is always reused. */
  keyType?: LogKeyType;
  /** Storage to use instead of `<dataDir>/log.db` (PostgreSQL, tests). */
  store?: LogStore;
  maxBatch?: number;
  maxPending?: number;
  /** Threads verifying proposed entries (default: CPU count - 1, at least 1; 0 = on the event loop). */
  admitThreads?: number;
  /** Tiles checkpoint publication interval in ms (default 1000). */
  checkpointIntervalMs?: number;
  /** Witness verifier keys whose cosignatures the published checkpoint accepts (`name+hash+base64`). */
  witnesses?: string[];
  /** Several frontends on PostgreSQL (`ctx.databaseUrl`): election and hand-off tuning. */
  election?: ElectionOptions;
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
  const pgStore = !options.store && ctx.databaseUrl ? await PostgresLogStore.open(ctx.databaseUrl) : undefined;
  const store = options.store ?? pgStore ?? new SqliteLogStore(join(ctx.dataDir, LOG_DB_FILE));
  const pool = createAdmitPool(options.admitThreads ?? Math.max(1, availableParallelism() - 1));
  let log: TransparencyLog;
  try {
    // On PostgreSQL every process is a frontend and one of them is elected sequencer (src/log/election.ts).
    const frontend: Pick<SequencerOptions, 'frontend'> = pgStore
      ? {
          frontend: postgresFrontend(pgStore, {
            ...options.election,
            onRole: (role) => ctx.logger.info({ role }, 'log role'),
          }),
        }
      : {};
    const logOptions = {
      store,
      identity,
      admit: pool.admit,
      hostname: hostnameOf(ctx.publicUrl),
      maxBatch: options.maxBatch,
      maxPending: options.maxPending,
      ...frontend,
    };
    log = await TransparencyLog.open(logOptions);
  } catch (e) {
    await pool.close();
    await store.close();
    throw e;
  }
  ctx.logger.info({ treeID: log.treeId, logID: identity.logId, size: log.info().head.size }, 'transparency log ready');
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const publisher = new CheckpointPublisher({
    head: () => log.info().head,
    intervalMs: options.checkpointIntervalMs,
    witnesses: options.witnesses,
  });
  return {
    name: 'log',
    log,
    async register(app: FastifyInstance) {
      await app.register(rekorApi(log, { maxBodyBytes }));
      await app.register(tileApi({ log, store, publisher }));
    },
    ready: () => log.ready(),
    async close() {
      publisher.close();
      await log.close();
      await pool.close();
      await store.close();
    },
  };
}
