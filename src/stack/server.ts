import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Service } from '../http/index.js';

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
}

/**
 * One fastify server carrying several services, each in its own encapsulated plugin, plus `/healthz` (the process
 * answers) and `/readyz` (every service's storage answers).
 */
export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimit ?? 64 * 1024 * 1024,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  }) as unknown as FastifyInstance;
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const results = await Promise.allSettled(options.services.filter(hasReady).map((s) => s.ready()));
    const failed = results.some((r) => r.status === 'rejected');
    return reply.code(failed ? 503 : 200).send({ status: failed ? 'unavailable' : 'ok' });
  });
  for (const service of options.services) await service.register(app);
  return app;
}

/**
 * Stops accepting connections, lets in-flight requests finish (so queued log writes reach storage), then closes
 * every service in reverse order.
 */
export async function shutdown(app: FastifyInstance, services: Service[]): Promise<void> {
  await app.close();
  for (const s of [...services].reverse()) await s.close();
}
