import { resolve } from 'node:path';
import type { Command } from 'commander';
import { SignetError } from '../errors.js';
import { readPassword } from './files.js';
import { parsePort, publicUrlFor } from './serve-options.js';
import { summary } from './commands.js';

export function registerCa(program: Command): void {
  const ca = program.command('ca').description(summary('ca'));

  ca.command('init')
    .description('create a P-384 root and intermediate CA in the data dir (keys encrypted with the CA password)')
    .requiredOption('--data-dir <dir>', 'where the CA certificates and encrypted keys go')
    .option('--password-file <file>', 'file whose first line is the key password (default: $SIGNET_CA_PASSWORD)')
    .option('--organization <o>', 'O= of the CA certificates', 'signet')
    .option('--common-name <cn>', 'CN= of the root (the intermediate gets <cn>-intermediate)', 'signet')
    .addHelpText('after', '\nExample:\n  SIGNET_CA_PASSWORD=... signet ca init --data-dir /var/lib/signet-ca')
    .action(async (opts: { dataDir: string; passwordFile?: string; organization: string; commonName: string }) => {
      const password = readPassword(opts.passwordFile, 'SIGNET_CA_PASSWORD');
      if (!password) {
        throw new SignetError('invalid-input', 'no CA key password', {
          detail: { hint: 'set SIGNET_CA_PASSWORD or pass --password-file FILE' },
        });
      }
      const { initCa } = await import('../ca/index.js');
      const chain = initCa(opts.dataDir, password, { organization: opts.organization, commonName: opts.commonName });
      const [intermediate, root] = chain.chain;
      console.log(`created CA in ${opts.dataDir}`);
      console.log(`  root:         ${root!.subject.replace(/\n/g, ', ')} (valid to ${root!.validTo})`);
      console.log(`  intermediate: ${intermediate!.subject.replace(/\n/g, ', ')}`);
      console.log(`  root SHA-256 fingerprint: ${root!.fingerprint256}`);
    });

  ca.command('serve')
    .description('serve the Fulcio API (/api/v2/signingCert, /api/v2/trustBundle, /api/v2/configuration, /api/v1/...)')
    .option('--port <port>', 'HTTP port', parsePort, 5555)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .requiredOption('--data-dir <dir>', 'the CA made by `signet ca init` (and the CT log state)')
    .option(
      '--config-path <file>',
      "issuer config in Fulcio's JSON format (OIDCIssuers, MetaIssuers, CIIssuerMetadata)",
    )
    .option('--ct-log-url <url>', 'an external RFC 6962 CT log for precertificates (default: the built-in log)')
    .option('--no-ct-log', 'no CT log: certificates come back with a detached, empty SCT')
    .option('--ca-cert-chain <file>', 'PEM chain, signing certificate first, root last (instead of the data dir CA)')
    .option('--ca-key <file>', 'PEM private key of the signing certificate (PKCS#8, encrypted or not)')
    .option('--password-file <file>', 'file whose first line is the key password (default: $SIGNET_CA_PASSWORD)')
    .option('--public-url <url>', 'URL clients reach this server at (default http://host:port)')
    .option('--dev-oidc', 'also serve the dev identity provider at /oidc and trust it (loopback only)')
    .addHelpText(
      'after',
      '\nExample:\n  signet ca serve --data-dir /var/lib/signet-ca --config-path issuers.json --port 5555',
    )
    .action(
      async (opts: {
        port: number;
        host: string;
        dataDir: string;
        configPath?: string;
        ctLogUrl?: string;
        ctLog: boolean;
        caCertChain?: string;
        caKey?: string;
        passwordFile?: string;
        publicUrl?: string;
        devOidc?: boolean;
      }) => {
        const { caServerServices } = await import('../ca/index.js');
        const { createDataDir, createTrustService, runServer, stackLogger, stackTrustInputs } =
          await import('../stack/index.js');
        const { createMetrics } = await import('../metrics/index.js');
        const logger = stackLogger();
        const metrics = createMetrics();
        const services = async (port: number) => {
          createDataDir(resolve(opts.dataDir));
          const publicUrl = publicUrlFor(opts.publicUrl, opts.host, port);
          const { services, trust } = await caServerServices({
            metrics,
            host: opts.host,
            dataDir: opts.dataDir,
            publicUrl,
            configPath: opts.configPath,
            ctLog: !opts.ctLog
              ? { kind: 'none' }
              : opts.ctLogUrl
                ? { kind: 'remote', url: opts.ctLogUrl }
                : { kind: 'embedded' },
            caChainFile: opts.caCertChain,
            caKeyFile: opts.caKey,
            password: readPassword(opts.passwordFile, 'SIGNET_CA_PASSWORD'),
            devOidc: opts.devOidc ?? false,
            logger,
          });
          // A CA run alone publishes the trust it holds (its chain, the built-in CT log's key, the dev provider),
          // as `log serve` does for its log: clients verify certificates with `--trusted-root <url>/trusted_root.json`.
          return [...services, createTrustService(stackTrustInputs({ publicUrl, ...trust }))];
        };
        await runServer({
          services,
          metrics,
          dataDir: opts.dataDir,
          host: opts.host,
          port: opts.port,
          logger,
          onListening: (url) => {
            console.error(`signet ca: serving the Fulcio API at ${url}`);
            console.error(`  trust: ${url}/trusted_root.json  (this CA's chain and CT log key; --trusted-root)`);
          },
        });
      },
    );
}
