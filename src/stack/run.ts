import type { Logger } from 'pino';
import type { Service } from '../http/index.js';
import { buildServer, shutdown } from './server.js';

export interface RunOptions {
  services: Service[];
  host: string;
  port: number;
  logger: Logger;
  /** Called once the server listens, with its base URL (for printing). */
  onListening?: (url: string) => void;
}

/**
 * Serves `services` until SIGINT or SIGTERM, then drains in-flight writes and closes storage before resolving.
 * A second signal while draining exits at once.
 */
export async function runServer(o: RunOptions): Promise<void> {
  const app = await buildServer({ services: o.services, logger: o.logger });
  try {
    await app.listen({ host: o.host, port: o.port });
  } catch (e) {
    for (const s of [...o.services].reverse()) await s.close();
    throw e;
  }
  const address = app.server.address();
  o.onListening?.(baseUrl(o.host, typeof address === 'object' && address ? address.port : o.port));
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) process.exit(130);
      stopping = true;
      o.logger.info({ signal }, 'shutting down: finishing in-flight writes');
      shutdown(app, o.services)
        .catch((e: unknown) => o.logger.error({ err: e }, 'error while shutting down'))
        .finally(() => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function baseUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
