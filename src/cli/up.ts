import { resolve } from 'node:path';
import type { Command } from 'commander';
import { addListenOptions, publicUrlFor } from './serve-options.js';
import { addScaleOptions } from './log-serve.js';

interface UpFlags {
  port: number;
  host: string;
  dataDir: string;
  maxBodyBytes?: number;
  publicUrl?: string;
  allowDevOidcOnNetwork?: boolean;
  databaseUrl?: string;
  checkpointInterval: number;
  witness: string[];
  maxPending?: number;
}

/** `signet up`: the whole stack on one server and one port. */
export function registerUp(program: Command): void {
  const up = addListenOptions(
    program
      .command('up')
      .description('run the whole signet stack (log, CA, CT log, dev identity provider) on one port until a signal'),
    { default: './signet-data', description: 'directory for keys and databases (created on first start)' },
  ).option('--allow-dev-oidc-on-network', 'serve the dev identity provider (any email, no password) beyond loopback');
  addScaleOptions(up).action(async (flags: UpFlags) => {
    // The server modules load only when serving, so the client commands start fast.
    const { assertDevOidcExposure } = await import('../oidc/provider/index.js');
    const { createStackServices, runServer, stackLogger } = await import('../stack/index.js');
    assertDevOidcExposure({ host: flags.host, devOidc: true, allowOnNetwork: flags.allowDevOidcOnNetwork === true });
    const logger = stackLogger();
    const publicUrl = publicUrlFor(flags.publicUrl, flags.host, flags.port);
    const dataDir = resolve(flags.dataDir);
    const services = await createStackServices(
      { dataDir, publicUrl, logger, databaseUrl: flags.databaseUrl },
      {
        log: {
          maxBodyBytes: flags.maxBodyBytes,
          checkpointIntervalMs: flags.checkpointInterval,
          witnesses: flags.witness,
          maxPending: flags.maxPending,
        },
      },
    );
    await runServer({
      services,
      host: flags.host,
      port: flags.port,
      logger,
      onListening: (url) => {
        console.log(`signet is up on ${url} (data in ${dataDir})`);
        console.log(`  transparency log (Rekor v1): ${url}/api/v1/log`);
        console.log(`  log public key:              ${url}/api/v1/log/publicKey`);
        console.log(`  log tiles (C2SP):            ${url}/checkpoint  ${url}/tile/...`);
        console.log(`  health:                      ${url}/healthz  ${url}/readyz`);
        console.log(`  certificate authority:       ${publicUrl}/api/v2/signingCert  (CT log: ${publicUrl}/ct/v1)`);
        console.log(`  dev identity provider:       ${publicUrl}/oidc  (any email: for local use only)`);
        console.log(`  trusted root:                ${publicUrl}/trusted_root.json`);
        console.log(`  signing config:              ${publicUrl}/signing_config.json`);
        console.log(`point clients at it:`);
        console.log(
          `  curl -so trusted_root.json ${publicUrl}/trusted_root.json   # then --trusted-root trusted_root.json`,
        );
        console.log(`  signet oidc token --email you@example.com --issuer ${publicUrl}/oidc`);
      },
    });
  });
}
