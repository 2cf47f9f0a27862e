import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { openSync, closeSync, writeSync, fsyncSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import {
  addJsonBodyParser,
  closeAll,
  closeServices,
  DEFAULT_INFLIGHT_BODY_BYTES,
  limitInflightBodies,
  metricsRoute,
  observeRequests,
  rekorErrorHandler,
  type Service,
} from '../http/index.js';
import { createMetrics, type Metrics } from '../metrics/index.js';

/** A service that can tell whether its storage is reachable (used by /readyz). */
interface ReadyCheck {
  ready(): Promise<void>;
}

const hasReady = (s: Service): s is Service & ReadyCheck => typeof (s as Partial<ReadyCheck>).ready === 'function';

export interface ServerOptions {
  services: Service[];
  logger: Logger;
  /** Global request body ceiling; services set tighter per-route limits. */
  bodyLimit?: number;
  /**
   * An HTTP server already listening (see runServer): the app takes over its requests once ready. The caller
   * closes it; without one, the app makes its own and `listen` is the caller's.
   */
  server?: Server;
  /** Request body bytes all requests in flight may hold together (default 64 MiB); over it, 503 + Retry-After. */
  inflightBodyBytes?: number;
  /** The process's metrics, served at /metrics (default: a fresh registry). */
  metrics?: Metrics;
  /** The data directory: /readyz answers 503 while a file cannot be written there (disk full, read-only). */
  dataDir?: string;
}

/**
 * One fastify server carrying several services, each in its own encapsulated plugin, plus `/healthz` (the process
 * answers), `/readyz` (every service's storage answers and the data directory takes writes) and `/metrics`.
 * Every request is counted and timed, every 5xx logged, and JSON bodies are depth-capped before any service sees them.
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  let handler: Handler | undefined;
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 64 * 1024 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
    ...(options.server ? { serverFactory: (h: Handler) => ((handler = h), options.server!) } : {}),
  }) as unknown as FastifyInstance;
  const metrics = options.metrics ?? createMetrics();
  // Services set their own wire format; anything else (a hook, /readyz, a route without one) answers Rekor's
  // `{code, message}` with no internal detail in a 5xx.
  app.setErrorHandler(rekorErrorHandler);
  observeRequests(app, metrics);
  limitInflightBodies(app, options.inflightBodyBytes ?? DEFAULT_INFLIGHT_BODY_BYTES, metrics);
  addJsonBodyParser(app);
  metricsRoute(app, metrics);
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const checks = options.services.filter(hasReady).map((s) => s.ready());
    if (options.dataDir) checks.push(probeWritable(options.dataDir));
    const results = await Promise.allSettled(checks);
    const failed = results.some((r) => r.status === 'rejected');
    return reply.code(failed ? 503 : 200).send({ status: failed ? 'unavailable' : 'ok' });
  });
  for (const service of options.services) await service.register(app);
  if (options.server && handler) {
    // An adopted server answered 503 while the services started; from now on the app answers.
    await app.ready();
    options.server.removeAllListeners('request');
    options.server.on('request', handler);
  }
  return app;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
/** Writes, syncs and removes one small file: fails on a full disk, a read-only mount or lost permissions. */
async function probeWritable(dir: string): Promise<void> {
  const path = join(dir, '.readyz-probe');
  const fd = openSync(path, 'w', 0o600);
  try {
    writeSync(fd, 'ok\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
    unlinkSync(path);
  }
}

/**
 * Stops accepting connections, lets in-flight requests finish (so queued log writes reach storage), then closes
 * every service in reverse order.
 */
export async function shutdown(app: FastifyInstance, services: Service[]): Promise<void> {
  await closeAll([() => app.close(), () => closeServices(services)]);
}
