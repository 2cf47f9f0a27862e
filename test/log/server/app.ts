import { rmSync } from 'node:fs';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { createLogService, type LogService, type LogServiceOptions } from '../../../src/log/index.js';
import { buildServer } from '../../../src/stack/server.js';
import { tempDir } from '../../helpers/process.js';

export interface TestApp {
  app: FastifyInstance;
  service: LogService;
  dataDir: string;
  close(): Promise<void>;
}

/** The log service on a fastify instance driven with inject (no socket), over SQLite in a temp dir. */
export async function logApp(options: LogServiceOptions = {}, dataDir = tempDir('signet-log-')): Promise<TestApp> {
  const logger = pino({ level: 'silent' });
  const service = await createLogService({ dataDir, publicUrl: 'http://log.test:3000', logger }, options);
  const app = await buildServer({ services: [service], logger });
  await app.ready();
  return {
    app,
    service,
    dataDir,
    async close() {
      await app.close();
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
