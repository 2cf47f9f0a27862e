import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { addListenOptions, publicUrlFor } from './serve-options.js';
import { addScaleOptions, databaseUrlOf } from './log-serve.js';
import { addTufExpiryOptions, printTufBootstrap } from './tuf.js';
import { summary } from './commands.js';

interface UpFlags {
  port: number;
  host: string;
  dataDir: string;
  maxBodyBytes?: number;
  publicUrl?: string;
  allowDevOidcOnNetwork?: boolean;
  databaseUrl?: string;
  databaseUrlFile?: string;
  checkpointInterval: number;
  witness: string[];
  maxPending?: number;
  oidcSigningAlg: 'RS256' | 'ES256';
  tufRootExpiry: number;
  tufTargetsExpiry: number;
  tufSnapshotExpiry: number;
  tufTimestampExpiry: number;
}

/** `signet up`: the whole stack on one server and one port. */
export function registerUp(program: Command): void {
  const up = addListenOptions(program.command('up').description(summary('up')), {
    default: './signet-data',
    description: 'directory for keys and databases (created on first start)',
  })
    .option('--allow-dev-oidc-on-network', 'serve the dev identity provider (any email, no password) beyond loopback')
    .addOption(
      new Option('--oidc-signing-alg <alg>', 'ID-token algorithm of the dev identity provider')
        .choices(['RS256', 'ES256'])
        .default('RS256'),
    );
  addTufExpiryOptions(addScaleOptions(up)).action(async (flags: UpFlags) => {
    // The server modules load only when serving, so the client commands start fast.
    const { assertDevOidcExposure } = await import('../oidc/index.js');
    const { createDataDir, createStackServices, runServer, stackLogger } = await import('../stack/index.js');
    const { createMetrics } = await import('../metrics/index.js');
    assertDevOidcExposure({ host: flags.host, devOidc: true, allowOnNetwork: flags.allowDevOidcOnNetwork === true });
    const logger = stackLogger();
    const dataDir = resolve(flags.dataDir);
    const metrics = createMetrics();
    let publicUrl = '';
    await runServer({
      metrics,
      dataDir,
      services: (port) => {
        publicUrl = publicUrlFor(flags.publicUrl, flags.host, port);
        createDataDir(dataDir);
        return createStackServices(
          { dataDir, publicUrl, logger, databaseUrl: databaseUrlOf(flags), metrics },
          {
            log: {
              maxBodyBytes: flags.maxBodyBytes,
              checkpointIntervalMs: flags.checkpointInterval,
              witnesses: flags.witness,
              maxPending: flags.maxPending,
            },
            idTokenAlg: flags.oidcSigningAlg,
            tuf: {
              expiry: {
                root: flags.tufRootExpiry,
                targets: flags.tufTargetsExpiry,
                snapshot: flags.tufSnapshotExpiry,
                timestamp: flags.tufTimestampExpiry,
              },
            },
          },
        );
      },
      host: flags.host,
      port: flags.port,
      logger,
      onListening: (url) => {
        console.log(`signet is up on ${url} (data in ${dataDir})`);
        // Every address below is the public one (--public-url), the one clients and the signed metadata use.
        console.log(`  web explorer:                ${publicUrl}/  (search, entries verified in the browser, log, CA)`);
        console.log(`  transparency log (Rekor v1): ${publicUrl}/api/v1/log`);
        console.log(
          `  transparency log (Rekor v2): ${publicUrl}/api/v2/checkpoint  (tiles; keyless signing goes here)`,
        );
        console.log(`  log public key:              ${publicUrl}/api/v1/log/publicKey`);
        console.log(`  log tiles (C2SP):            ${publicUrl}/checkpoint  ${publicUrl}/tile/...`);
        console.log(
          `  health:                      ${publicUrl}/healthz  ${publicUrl}/readyz  (metrics: ${publicUrl}/metrics)`,
        );
        console.log(`  certificate authority:       ${publicUrl}/api/v2/signingCert  (CT log: ${publicUrl}/ct/v1)`);
        console.log(`  dev identity provider:       ${publicUrl}/oidc  (any email: for local use only)`);
        console.log(`  timestamp authority:         ${publicUrl}/api/v1/timestamp  (RFC 3161)`);
        console.log(`  trusted root:                ${publicUrl}/trusted_root.json`);
        console.log(`  signing config:              ${publicUrl}/signing_config.json`);
        printTufBootstrap(publicUrl, dataDir);
        console.log(`point clients at it:`);
        console.log(
          `  curl -so trusted_root.json ${publicUrl}/trusted_root.json   # then --trusted-root trusted_root.json`,
        );
        console.log(`  signet oidc token --email you@example.com --issuer ${publicUrl}/oidc`);
        console.log(
          `  signet oidc token --github-workflow OWNER/REPO/.github/workflows/release.yml@refs/heads/main --issuer ${publicUrl}/oidc`,
        );
      },
    });
  });
}
