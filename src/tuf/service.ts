import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { rekorErrorHandler, type Service } from '../http/index.js';
import { rootPassword } from './keys.js';
import { publishTrust, type TrustMaterialSource } from './publisher.js';
import { TufRepository, type ExpiryPeriods } from './repository.js';

/** Where the repository is mounted: clients use `<publicUrl>/tuf` as their mirror. */
export const TUF_PATH = '/tuf';

export interface TufServiceOptions {
  /** `<data-dir>/tuf`. */
  dir: string;
  source: TrustMaterialSource;
  logger: Logger;
  expiry?: Partial<ExpiryPeriods>;
  /**
   * How often to re-sign what is past half-life and publish changed trust material (default: 60 s, or a quarter of
   * the shortest re-signed lifetime if less, so metadata is re-signed by three quarters of its life at the latest).
   */
  checkIntervalMs?: number;
  clock?: () => Date;
}

export interface TufService extends Service {
  repository: TufRepository;
  /** Publishes changed trust material and re-signs stale metadata now (the timer does it too). */
  tick(): Promise<void>;
}

/**
 * The stack's TUF repository (src/tuf/repository.ts), created on first start, kept fresh by a timer and served as
 * static files under `/tuf/`: metadata at `/tuf/<name>.json`, targets at `/tuf/targets/<sha256>.<name>`.
 */
export async function createTufService(o: TufServiceOptions): Promise<TufService> {
  const clock = o.clock ?? (() => new Date());
  const repository = new TufRepository({ dir: o.dir, password: rootPassword(o.dir), expiry: o.expiry, clock });
  await repository.init();
  const tick = async () => {
    if (await publishTrust(repository, o.source, clock())) o.logger.info('tuf: published new trust material');
    const resigned = await repository.refresh();
    if (resigned.length > 0) o.logger.info({ roles: resigned }, 'tuf: re-signed metadata');
  };
  await tick();
  const timer = setInterval(
    () => tick().catch((e: unknown) => o.logger.error({ err: e }, 'tuf: publishing failed')),
    o.checkIntervalMs ?? Math.min(60_000, ...RESIGNED.map((role) => repository.expiry[role] / 4)),
  );
  timer.unref();
  return {
    name: 'tuf',
    repository,
    tick,
    async register(app: FastifyInstance) {
      await app.register(
        async (scope) => {
          scope.setErrorHandler(rekorErrorHandler);
          scope.get<{ Params: { name: string } }>('/:name', async (req, reply) =>
            METADATA.test(req.params.name)
              ? serveFile(reply, join(repository.repoDir, req.params.name), 'application/json')
              : notFound(reply),
          );
          scope.get<{ Params: { name: string } }>('/targets/:name', async (req, reply) =>
            TARGET.test(req.params.name)
              ? serveFile(reply, join(repository.repoDir, 'targets', req.params.name), 'application/octet-stream')
              : notFound(reply),
          );
        },
        { prefix: TUF_PATH },
      );
    },
    async close() {
      clearInterval(timer);
    },
  };
}

/** The roles the timer re-signs at half-life (a new root is the operator's: `signet tuf rotate-keys`). */
const RESIGNED = ['targets', 'snapshot', 'timestamp'] as const;

// Only names the repository writes: no path can leave the directory.
const METADATA = /^([0-9]+\.)?(root|timestamp|snapshot|targets)\.json$/;
const TARGET = /^[0-9a-f]{64}\.[A-Za-z0-9_][A-Za-z0-9._-]*$/;

function serveFile(reply: FastifyReply, path: string, type: string): FastifyReply {
  if (!existsSync(path)) return notFound(reply);
  return reply.type(type).header('cache-control', 'no-cache').send(createReadStream(path));
}

// TUF clients walk root versions upward until a 404 (or 403): the next version must answer exactly that.
function notFound(reply: FastifyReply): FastifyReply {
  return reply.code(404).type('application/json').send({ code: 404, message: 'not found' });
}
