import { existsSync, mkdirSync } from 'node:fs';
import { SignetError } from '../errors.js';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { closeAll, type Service, type ServiceContext } from '../http/index.js';
import { availableParallelism } from 'node:os';
import { createAdmitPool } from './admit-pool.js';
import { hostnameOf, LOG_KEY_FILE, loadOrCreateLogKey, type LogKeyType } from './identity.js';
import { rekorApi } from './http/routes.js';
import { TransparencyLog } from './log.js';
import { SqliteLogStore } from './storage/sqlite.js';
import type { LogStore } from './storage/store.js';
import { PostgresLogStore } from './storage/postgres.js';
import type { HandOffTuning } from './append/index.js';
import { tileApi } from './tiles/routes.js';
import { CheckpointPublisher } from './witness/publisher.js';
import { explorerApi, explorerDir, loadStaticFiles, TimelineSampler } from './explorer/index.js';

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
  /** Several frontends on PostgreSQL (`ctx.databaseUrl`): election and hand-off timing. */
  handOff?: HandOffTuning;
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
  const keyKept = existsSync(join(ctx.dataDir, LOG_KEY_FILE));
  if (!options.store && !ctx.databaseUrl) refuseLostDatabase(ctx.dataDir);
  const identity = loadOrCreateLogKey(ctx.dataDir, options.keyType);
  const store =
    options.store ??
    (ctx.databaseUrl
      ? await PostgresLogStore.open(ctx.databaseUrl)
      : new SqliteLogStore(join(ctx.dataDir, LOG_DB_FILE)));
  if (!options.store && keyKept) {
    const where =
      store instanceof PostgresLogStore
        ? `the PostgreSQL database holds no log (schema "${store.target.schema}")`
        : `its database ${LOG_DB_FILE} holds no log`;
    await refuseEmptyDatabase(ctx.dataDir, store, where);
  }
  const pool = createAdmitPool(options.admitThreads ?? Math.max(1, availableParallelism() - 1));
  // What is open, last opened first: a start that fails part-way closes it, as a stop does.
  const opened: Array<() => Promise<void> | void> = [() => pool.close(), () => store.close()];
  const close = () => closeAll(opened);
  try {
    // On PostgreSQL every process admits entries and one of them is elected sequencer (src/log/append/shared.ts).
    const log = await TransparencyLog.open({
      store,
      identity,
      admit: pool.admit,
      admitJson: pool.admitJson,
      sealSets: pool.seal,
      hostname: hostnameOf(ctx.publicUrl),
      maxBatch: options.maxBatch,
      maxPending: options.maxPending,
      handOff: { ...options.handOff, onRole: (role) => ctx.logger.info({ role }, 'log role') },
      ...(ctx.metrics ? { metrics: ctx.metrics.log('rekor') } : {}),
    });
    opened.unshift(() => log.close());
    const publisher = await CheckpointPublisher.open({
      head: () => log.info().head,
      store,
      intervalMs: options.checkpointIntervalMs,
      witnesses: options.witnesses,
    });
    opened.unshift(() => publisher.close());
    ctx.logger.info(
      { treeID: log.treeId, logID: identity.logId, size: log.info().head.size },
      'transparency log ready',
    );
    const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    return {
      name: 'log',
      log,
      async register(app: FastifyInstance) {
        await app.register(rekorApi(log, { maxBodyBytes }));
        await app.register(tileApi({ log, store, publisher }));
        const timeline = new TimelineSampler(store, () => log.info().head.size);
        await app.register(
          explorerApi({ files: loadStaticFiles(explorerDir()), timeline, store, treeSize: () => log.info().head.size }),
        );
      },
      ready: () => log.ready(),
      close,
    };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}

/**
 * A log key without its database means the log was lost: starting a new tree under the same key would publish a
 * second history signed by the key the first one's users trust (a fork). Refuse; a new log needs a new key.
 */
function refuseLostDatabase(dataDir: string): void {
  if (existsSync(join(dataDir, LOG_KEY_FILE)) && !existsSync(join(dataDir, LOG_DB_FILE))) {
    throw new SignetError(
      'invalid-input',
      `${join(dataDir, LOG_KEY_FILE)} exists but its database ${LOG_DB_FILE} does not: restore the database, ` +
        'or remove the key to start a new log under a new key (reusing it would fork the log)',
    );
  }
}

/**
 * The same on any back end, after opening it: a key kept from an earlier start with a store that holds no log (a
 * wiped PostgreSQL schema, a database restored from before the log existed, an emptied SQLite file). Several
 * PostgreSQL frontends share one key: the first start creates key and log together, and the key is copied to the
 * others afterwards (docs/scale.md), so a kept key always meets the log it signed.
 */
async function refuseEmptyDatabase(dataDir: string, store: LogStore, where: string): Promise<void> {
  let meta;
  try {
    meta = await store.meta();
  } catch (e) {
    await store.close();
    throw e;
  }
  if (meta) return;
  await store.close();
  throw new SignetError(
    'invalid-input',
    `${join(dataDir, LOG_KEY_FILE)} exists but ${where}: restore the database, ` +
      'or remove the key to start a new log under a new key (reusing it would fork the log)',
  );
}
