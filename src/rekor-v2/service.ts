import { mkdirSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { closeAll, type Service, type ServiceContext } from '../http/index.js';
import { CheckpointPublisher, PostgresLogStore, SqliteLogStore, type LogStore } from '../log/index.js';
import { createV2AdmitPool } from './admit-pool.js';
import { openAppender } from './appender.js';
import { loadOrCreateV2Identity, v2OriginOf, V2_KEY_FILE, type V2KeyType } from './identity.js';
import { RekorV2Log } from './log.js';
import { rekorV2Api } from './routes.js';
import { rekorV2ExplorerApi } from './explorer-routes.js';

export interface RekorV2Options {
  /** Checkpoint origin (default: the public URL's host, e.g. `127.0.0.1:3000`). */
  origin?: string;
  keyType?: V2KeyType;
  /** Storage instead of `<dataDir>/log.db` or the PostgreSQL schema `<schema>_rekor2` (tests). */
  store?: LogStore;
  maxBatch?: number;
  maxPending?: number;
  maxBodyBytes?: number;
  /** Published checkpoint refresh in ms (default 1000). */
  checkpointIntervalMs?: number;
  /** Admission threads (default: one per core but one, as the v1 log; 0 admits on the event loop). */
  admitThreads?: number;
  /** Witness verifier keys (`name+hash+base64`) whose cosignatures the published checkpoint accepts. */
  witnesses?: string[];
}

export const V2_DB_FILE = 'log.db';

/** The Rekor v2 log as a stack service, with what trust distribution needs to list it. */
export interface RekorV2Service extends Service {
  readonly log: RekorV2Log;
  /** When the key was created: the trusted root's `validFor.start`. */
  readonly createdAt: Date;
  ready(): Promise<void>;
}

/**
 * Rekor v2 beside the v1 log: its own key, origin and tree under `ctx.dataDir` (SQLite `log.db`, or the schema
 * `<schema>_rekor2` of `ctx.databaseUrl`), its API under `/api/v2/` of the shared server.
 */
export async function createRekorV2Service(ctx: ServiceContext, options: RekorV2Options = {}): Promise<RekorV2Service> {
  mkdirSync(ctx.dataDir, { recursive: true, mode: 0o700 });
  const identity = loadOrCreateV2Identity(ctx.dataDir, options.origin ?? v2OriginOf(ctx.publicUrl), options.keyType);
  const createdAt = statSync(join(ctx.dataDir, V2_KEY_FILE)).mtime;
  const store =
    options.store ??
    (ctx.databaseUrl
      ? await PostgresLogStore.open(v2DatabaseUrl(ctx.databaseUrl))
      : new SqliteLogStore(join(ctx.dataDir, V2_DB_FILE)));
  const pool = createV2AdmitPool(options.admitThreads ?? Math.max(1, availableParallelism() - 1));
  // What is open, last opened first: a start that fails part-way closes it, as a stop does.
  const opened: Array<() => Promise<void> | void> = [() => pool.close(), () => store.close()];
  const close = () => closeAll(opened);
  try {
    const log = new RekorV2Log(
      identity,
      await openAppender({ store, identity, metrics: ctx.metrics?.log('rekor2'), ...options }),
      pool.admit,
    );
    opened.unshift(() => log.close());
    const publisher = await CheckpointPublisher.open({
      head: () => log.head(),
      store,
      intervalMs: options.checkpointIntervalMs,
      witnesses: options.witnesses,
    });
    opened.unshift(() => publisher.close());
    ctx.logger.info(
      { origin: identity.origin, logID: identity.logId.toString('base64'), size: log.head().size },
      'rekor v2 log ready',
    );
    return {
      name: 'rekor2',
      log,
      createdAt,
      async register(app: FastifyInstance) {
        await app.register(rekorV2Api({ log, store, publisher, maxBodyBytes: options.maxBodyBytes }));
        await app.register(rekorV2ExplorerApi({ log, store, publisher }));
      },
      ready: () => log.ready(),
      close,
    };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}

/** The v1 log's database with the schema `<schema>_rekor2`: one database, two trees. */
function v2DatabaseUrl(url: string): string {
  const u = new URL(url);
  const base = u.searchParams.get('schema') ?? /search_path=(\w+)/.exec(u.searchParams.get('options') ?? '')?.[1];
  u.searchParams.delete('options');
  u.searchParams.set('schema', `${base ?? 'public'}_rekor2`);
  return u.toString();
}
