import { createServer, type Server } from 'node:http';
import type { Logger } from 'pino';
import { SignetError } from '../errors.js';
import { closeServices, type Service } from '../http/index.js';
import type { Metrics } from '../metrics/index.js';
import { buildServer, shutdown } from './server.js';

export interface RunOptions {
  /**
   * Makes the services once the port is bound, given the port actually bound (the real one when asked for port 0),
   * so every URL they publish names it. Nothing is created when the port cannot be had.
   */
  services: (port: number) => Promise<Service[]>;
  host: string;
  port: number;
  logger: Logger;
  /** The process's metrics (the services' context should carry the same one), served at /metrics. */
  metrics?: Metrics;
  /** The data directory /readyz checks for writability. */
  dataDir?: string;
  /** Called once the server serves, with its base URL (for printing). */
  onListening?: (url: string) => void;
}

/**
 * Binds the port first (a busy port fails before any key or database is made), then builds the services and
 * serves them until SIGINT or SIGTERM, then drains in-flight writes and closes storage before resolving. A second
 * signal while draining exits at once.
 */
export async function runServer(o: RunOptions): Promise<void> {
  const server = await bind(o.host, o.port);
  const port = (server.address() as { port: number }).port;
  let services: Service[] = [];
  let app: Awaited<ReturnType<typeof buildServer>>;
  try {
    services = await o.services(port);
    app = await buildServer({ services, logger: o.logger, server, metrics: o.metrics, dataDir: o.dataDir });
  } catch (e) {
    server.close();
    // Services already open hold storage (a database session would keep this failed start alive).
    await closeServices(services).catch(() => undefined);
    throw e;
  }
  o.onListening?.(baseUrl(o.host, port));
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals | 'parent-exit') => {
      if (stopping) process.exit(130);
      stopping = true;
      o.logger.info({ signal }, 'shutting down: finishing in-flight writes');
      clearInterval(orphanCheck);
      closeListener(server)
        .then(() => shutdown(app, services))
        .catch((e: unknown) => o.logger.error({ err: e }, 'error while shutting down'))
        .finally(() => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.off('SIGHUP', stop);
          resolve();
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', stop);
    // `npx signet up &` then killing npx (or closing the terminal) leaves this process to init: when the process
    // that started it goes away, stop as on a signal rather than keep the port and the database.
    const parent = process.ppid;
    const orphanCheck = setInterval(() => {
      if (process.ppid !== parent) stop('parent-exit');
    }, 500);
    orphanCheck.unref();
  });
}

/** Listens on host:port with a plain HTTP server; requests that arrive before the app is ready get a 503. */
function bind(host: string, port: number): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify({ code: 503, message: 'starting' }));
  });
  // fastify's own keep-alive (72 s, longer than common load balancers' 60 s idle timeout) rather than Node's 5 s,
  // after which a client that reuses an idle connection at the wrong moment gets a reset instead of an answer.
  server.keepAliveTimeout = 72_000;
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (e.code === 'EADDRINUSE') {
        reject(
          new SignetError('pushback', `port ${port} on ${host} is already in use (another signet up?)`, {
            cause: e,
            detail: { option: 'port' },
          }),
        );
      } else if (e.code === 'EACCES') {
        reject(
          new SignetError('forbidden', `not allowed to listen on ${where} (ports below 1024 need privileges)`, {
            cause: e,
            detail: { option: 'port' },
          }),
        );
      } else {
        reject(new SignetError('invalid-input', `cannot listen on ${where}: ${e.message}`, { cause: e }));
      }
    });
    server.listen({ host, port }, () => resolve(server));
  });
}

/** Stops accepting connections and waits for open ones to finish (idle keep-alive sockets are closed). */
function closeListener(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const idle = setInterval(() => server.closeIdleConnections(), 100);
    server.close(() => {
      clearInterval(idle);
      resolve();
    });
    server.closeIdleConnections();
  });
}

export function baseUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}
