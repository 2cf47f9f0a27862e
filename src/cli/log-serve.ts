import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { LogKeyType } from '../log/index.js';
import { addListenOptions, publicUrlFor } from './serve-options.js';

interface LogServeFlags {
  port: number;
  host: string;
  dataDir: string;
  maxBodyBytes?: number;
  logKeyType: LogKeyType;
  publicUrl?: string;
  databaseUrl?: string;
  checkpointInterval: number;
  witness: string[];
  maxPending?: number;
}

/** `1s`, `500ms`, `2.5s` or plain milliseconds. */
export function parseDuration(value: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s)?$/.exec(value);
  const ms = m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : NaN;
  if (!Number.isFinite(ms) || ms < 10 || ms > 3_600_000)
    throw new InvalidArgumentError('must be a duration like 1s or 500ms');
  return Math.round(ms);
}

const collect = (value: string, previous: string[]) => [...previous, value];

function parseCount(value: string): number {
  if (!/^[1-9][0-9]{0,6}$/.test(value)) throw new InvalidArgumentError('must be a positive integer');
  return Number(value);
}

/** The scale options `signet log serve` and `signet up` share. */
export function addScaleOptions(cmd: Command): Command {
  return cmd
    .option(
      '--database-url <url>',
      'PostgreSQL URL (postgres://user@host/db[?schema=name]); default: SQLite in the data dir',
    )
    .option(
      '--checkpoint-interval <duration>',
      'how often the tiles checkpoint (/checkpoint) is published',
      parseDuration,
      1000,
    )
    .option(
      '--witness <vkey>',
      'witness key whose cosignatures /checkpoint carries (name+hash+base64; repeatable)',
      collect,
      [],
    )
    .option('--max-pending <n>', 'entries waiting to be sequenced before 503 + Retry-After (default 8192)', parseCount);
}

/** `signet log serve`: the transparency log alone (Rekor v1 API). */
export function registerLogServe(log: Command): void {
  const serve = addListenOptions(
    log.command('serve').description('run the transparency log server (Rekor v1 REST API) until SIGINT/SIGTERM'),
    { default: './signet-data/log', description: 'directory for the log key and database' },
  ).addOption(
    new Option('--log-key-type <type>', 'key type for a new log key (an existing key is reused)')
      .choices(['ecdsa-p256', 'ed25519'])
      .default('ecdsa-p256'),
  );
  addScaleOptions(serve).action(async (flags: LogServeFlags) => {
    const { createLogService } = await import('../log/index.js');
    const { runServer, stackLogger } = await import('../stack/index.js');
    const logger = stackLogger();
    const publicUrl = publicUrlFor(flags.publicUrl, flags.host, flags.port);
    const dataDir = resolve(flags.dataDir);
    const service = await createLogService(
      { dataDir, publicUrl, logger, databaseUrl: flags.databaseUrl },
      {
        maxBodyBytes: flags.maxBodyBytes,
        keyType: flags.logKeyType,
        checkpointIntervalMs: flags.checkpointInterval,
        witnesses: flags.witness,
        maxPending: flags.maxPending,
      },
    );
    const info = service.log.info();
    await runServer({
      services: [service],
      host: flags.host,
      port: flags.port,
      logger,
      onListening: (url) => {
        console.log(`signet transparency log listening on ${url}`);
        console.log(`  Rekor API:  ${url}/api/v1/log  (tree ${info.treeId}, ${info.head.size} entries)`);
        console.log(`  public key: ${url}/api/v1/log/publicKey  (logID ${service.log.identity.logId})`);
        console.log(`  tiles:      ${url}/checkpoint  ${url}/tile/0/000  ${url}/tile/entries/000`);
        console.log(`  storage:    ${flags.databaseUrl ? 'PostgreSQL' : 'SQLite'}; data dir ${dataDir}`);
      },
    });
  });
}
