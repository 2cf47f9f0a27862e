import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { createLogService, DEFAULT_MAX_BODY_BYTES, type LogKeyType } from '../log/index.js';
import { stackLogger } from '../stack/logger.js';
import { runServer } from '../stack/run.js';
import { parseBytes, parsePort, publicUrlFor } from './serve-options.js';

interface LogServeFlags {
  port: number;
  host: string;
  dataDir: string;
  maxBodyBytes: number;
  logKeyType: LogKeyType;
  publicUrl?: string;
}

/** `signet log serve`: the transparency log alone (Rekor v1 API). */
export function registerLogServe(log: Command): void {
  log
    .command('serve')
    .description('run the transparency log server (Rekor v1 REST API) until SIGINT/SIGTERM')
    .option('--port <port>', 'TCP port to listen on', parsePort, 3000)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', 'directory for the log key and database', './signet-data/log')
    .option('--max-body-bytes <n>', 'largest accepted request body (413 above)', parseBytes, DEFAULT_MAX_BODY_BYTES)
    .addOption(
      new Option('--log-key-type <type>', 'key type for a new log key (an existing key is reused)')
        .choices(['ecdsa-p256', 'ed25519'])
        .default('ecdsa-p256'),
    )
    .option('--public-url <url>', 'URL clients use; its hostname names the checkpoint origin')
    .action(async (flags: LogServeFlags) => {
      const logger = stackLogger();
      const publicUrl = publicUrlFor(flags.publicUrl, flags.host, flags.port);
      const dataDir = resolve(flags.dataDir);
      const service = await createLogService(
        { dataDir, publicUrl, logger },
        { maxBodyBytes: flags.maxBodyBytes, keyType: flags.logKeyType },
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
          console.log(`  data dir:   ${dataDir}`);
        },
      });
    });
}
