import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { SignetError } from '../errors.js';
import { readPassword } from './files.js';
import { parsePort, publicUrlFor } from './serve-options.js';
import { summary } from './commands.js';

interface TsaServeFlags {
  port: number;
  host: string;
  dataDir: string;
  publicUrl?: string;
  certificateChain?: string;
  privateKey?: string;
  passwordFile?: string;
  acceptedPolicyOid?: string[];
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerTsa(program: Command): void {
  const tsa = program.command('tsa').description(summary('tsa'));
  tsa
    .command('serve')
    .description('serve POST /api/v1/timestamp and GET /api/v1/timestamp/certchain')
    .option('--port <port>', 'HTTP port', parsePort, 3004)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .requiredOption('--data-dir <dir>', 'where the TSA key (encrypted, 0600) and chain are made on first start')
    .option('--public-url <url>', 'URL clients reach this server at (default http://host:port)')
    .option('--certificate-chain <file>', "operator's PEM chain, leaf first, root last (instead of the data dir's)")
    .option('--private-key <file>', 'PEM PKCS#8 key of the leaf (encrypted with the password, or not)')
    .option('--password-file <file>', 'file whose first line is the key password (default: $SIGNET_TSA_PASSWORD)')
    .option(
      '--accepted-policy-oid <oid>',
      'a policy requests may ask for, repeatable; the first is the default (default 1.3.6.1.4.1.57264.2)',
      collect,
    )
    .addHelpText('after', '\nExample:\n  signet tsa serve --data-dir /var/lib/signet-tsa --port 3004')
    .action(async (flags: TsaServeFlags) => {
      const { createTsaService, loadTsaSigner } = await import('../tsa/index.js');
      const { createDataDir, runServer, stackLogger } = await import('../stack/index.js');
      if (!flags.certificateChain !== !flags.privateKey) {
        throw new SignetError('invalid-input', '--certificate-chain and --private-key go together');
      }
      const password = readPassword(flags.passwordFile, 'SIGNET_TSA_PASSWORD');
      const signer = flags.certificateChain
        ? loadTsaSigner(readFileSync(flags.certificateChain, 'utf8'), readFileSync(flags.privateKey!, 'utf8'), password)
        : undefined;
      const logger = stackLogger();
      await runServer({
        services: async (port) => {
          createDataDir(resolve(flags.dataDir));
          const service = await createTsaService({
            dataDir: flags.dataDir,
            publicUrl: publicUrlFor(flags.publicUrl, flags.host, port),
            logger,
            signer,
            password,
            policies: flags.acceptedPolicyOid,
          });
          return [service];
        },
        host: flags.host,
        port: flags.port,
        logger,
        onListening: (url) => {
          console.error(`signet tsa: serving RFC 3161 timestamps at ${url}/api/v1/timestamp`);
          console.error(`  certificate chain: ${url}/api/v1/timestamp/certchain`);
        },
      });
    });
}
