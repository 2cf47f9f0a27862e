import { readFileSync } from 'node:fs';
import { invalidInput } from '../errors.js';
import { resolve } from 'node:path';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { LogKeyType } from '../log/index.js';
import { addListenOptions, publicUrlFor } from './serve-options.js';
import { parseInterval } from './duration.js';

interface LogServeFlags {
  port: number;
  host: string;
  dataDir: string;
  maxBodyBytes?: number;
  logKeyType: LogKeyType;
  publicUrl?: string;
  databaseUrl?: string;
  databaseUrlFile?: string;
  checkpointInterval: number;
  witness: string[];
  maxPending?: number;
}

/**
 * The database URL from --database-url (or SIGNET_DATABASE_URL) or --database-url-file, so a password never has to
 * be on the command line (where `ps` shows it). PGPASSWORD is read by the PostgreSQL driver itself.
 */
export function databaseUrlOf(flags: { databaseUrl?: string; databaseUrlFile?: string }): string | undefined {
  if (flags.databaseUrl && flags.databaseUrlFile) {
    throw invalidInput('give --database-url or --database-url-file, not both');
  }
  if (!flags.databaseUrlFile) return flags.databaseUrl;
  let text: string;
  try {
    text = readFileSync(flags.databaseUrlFile, 'utf8').trim();
  } catch (e) {
    throw invalidInput(`cannot read --database-url-file: ${(e as Error).message}`);
  }
  if (!text) throw invalidInput('--database-url-file is empty');
  return text;
}

const collect = (value: string, previous: string[]) => [...previous, value];

function parseCount(value: string): number {
  if (!/^[1-9][0-9]{0,6}$/.test(value)) throw new InvalidArgumentError('must be a positive integer');
  return Number(value);
}

/** The scale options `signet log serve` and `signet up` share. */
export function addScaleOptions(cmd: Command): Command {
  return cmd
    .addOption(
      new Option(
        '--database-url <url>',
        'PostgreSQL URL (postgres://user@host/db[?schema=name]) without a password (use PGPASSWORD or --database-url-file); default: SQLite in the data dir',
      ).env('SIGNET_DATABASE_URL'),
    )
    .option('--database-url-file <path>', 'read the PostgreSQL URL (which may hold the password) from this file')
    .option(
      '--checkpoint-interval <duration>',
      'how often the tiles checkpoint (/checkpoint) is published',
      parseInterval,
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
    const { createDataDir, runServer, stackLogger, createTrustService, stackTrustInputs } =
      await import('../stack/index.js');
    const { LOG_KEY_FILE } = await import('../log/index.js');
    const { join } = await import('node:path');
    const { createMetrics } = await import('../metrics/index.js');
    const logger = stackLogger();
    const metrics = createMetrics();
    const dataDir = resolve(flags.dataDir);
    let service: Awaited<ReturnType<typeof createLogService>>;
    await runServer({
      metrics,
      dataDir,
      services: async (port) => {
        createDataDir(dataDir);
        service = await createLogService(
          {
            dataDir,
            publicUrl: publicUrlFor(flags.publicUrl, flags.host, port),
            logger,
            databaseUrl: databaseUrlOf(flags),
            metrics,
          },
          {
            maxBodyBytes: flags.maxBodyBytes,
            keyType: flags.logKeyType,
            checkpointIntervalMs: flags.checkpointInterval,
            witnesses: flags.witness,
            maxPending: flags.maxPending,
          },
        );
        // A log run alone still publishes the trust it holds (its own key, no CA), so the "run your own Rekor"
        // lab verifies with `--trusted-root <url>/trusted_root.json` instead of hand-assembling a root.
        const publicUrl = publicUrlFor(flags.publicUrl, flags.host, port);
        const tlog = { publicKey: service.log.identity.publicKey, keyFile: join(dataDir, LOG_KEY_FILE) };
        return [service, createTrustService(stackTrustInputs({ publicUrl, tlog }))];
      },
      host: flags.host,
      port: flags.port,
      logger,
      onListening: (url) => {
        const info = service.log.info();
        console.log(`signet transparency log listening on ${url}`);
        console.log(`  Rekor API:  ${url}/api/v1/log  (tree ${info.treeId}, ${info.head.size} entries)`);
        console.log(`  public key: ${url}/api/v1/log/publicKey  (logID ${service.log.identity.logId})`);
        console.log(`  trust:      ${url}/trusted_root.json  (this log's key; --trusted-root)`);
        console.log(`  explorer:   ${url}/  (web: search, entries verified in the browser)`);
        console.log(`  tiles:      ${url}/checkpoint  ${url}/tile/0/000  ${url}/tile/entries/000`);
        console.log(`  storage:    ${databaseUrlOf(flags) ? 'PostgreSQL' : 'SQLite'}; data dir ${dataDir}`);
      },
    });
  });
}
