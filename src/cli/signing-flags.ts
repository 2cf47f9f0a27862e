import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { invalidInput } from '../errors.js';
import type { AuthFlow } from '../oidc/index.js';
import type { Signer, SigningServices, TlogOptions } from '../sign/index.js';
import { boolFlag } from './bool-flags.js';
import { readText } from './files.js';
import { confirm, passwordFor } from './keys.js';

/**
 * Sigstore public-good URLs as the flag help names them: sign's PUBLIC_GOOD_SERVICES, spelled out here so that
 * `signet --help` need not load the signing code (test/cli/startup checks the two agree).
 */
export const PUBLIC_GOOD_HELP = {
  fulcioUrl: 'https://fulcio.sigstore.dev',
  rekorUrl: 'https://rekor.sigstore.dev',
  oidcIssuer: 'https://oauth2.sigstore.dev/auth',
} as const;

/** The signing flags shared by sign-blob, attest-blob, sign and attest (cosign's names). */
export interface SignFlags {
  key?: string;
  bundle?: string;
  newBundleFormat: boolean;
  tlogUpload: boolean;
  rekorUrl?: string;
  fulcioUrl?: string;
  oidcIssuer?: string;
  oidcClientId: string;
  oidcClientSecretFile?: string;
  fulcioAuthFlow?: string;
  identityToken?: string;
  signingConfig?: string;
  trustedRoot?: string;
  timestampServerUrl?: string;
  yes?: boolean;
}

export function addSigningOptions(cmd: Command): Command {
  return cmd
    .option('--key <file>', 'private key: cosign.key (COSIGN_PASSWORD) or a PEM key; keyless when absent')
    .option('--bundle <file>', 'write the Sigstore bundle (or, with --new-bundle-format=false, the old cosign bundle)')
    .addOption(boolFlag('--new-bundle-format', 'write a Sigstore bundle v0.3', true))
    .addOption(boolFlag('--tlog-upload', 'log the signature in the transparency log', true))
    .option('--rekor-url <url>', `transparency log (default ${PUBLIC_GOOD_HELP.rekorUrl})`)
    .option('--fulcio-url <url>', `certificate authority for keyless signing (default ${PUBLIC_GOOD_HELP.fulcioUrl})`)
    .option('--oidc-issuer <url>', `OIDC provider for interactive login (default ${PUBLIC_GOOD_HELP.oidcIssuer})`)
    .option('--oidc-client-id <id>', 'OIDC client id', 'sigstore')
    .option('--oidc-client-secret-file <file>', 'file holding the OIDC client secret')
    .option('--fulcio-auth-flow <flow>', 'interactive login: normal (browser) or device')
    .option('--identity-token <jwt|file>', 'OIDC identity token for keyless signing, or a file holding it')
    .option('--signing-config <file|url>', "signing_config.json naming the services (a stack's /signing_config.json)")
    .option('--trusted-root <file|url>', 'accepted for cosign compatibility; verification uses it, signing does not')
    .option(
      '--timestamp-server-url <url>',
      'RFC 3161 timestamp authority to countersign the signature, e.g. http://127.0.0.1:3000/api/v1/timestamp',
    )
    .option('-y, --yes', 'skip the confirmation prompt for keyless signing');
}

/**
 * Service URLs from --signing-config; else the URL flags, each over the signing config of the instance
 * `signet initialize` configured, else over Sigstore public-good defaults. `maxRekorVersion` 1 where the output
 * needs a signed entry timestamp (cosign's old bundle format, the legacy image layout): Rekor v2 gives none.
 */
export async function resolveServices(flags: SignFlags, maxRekorVersion: 1 | 2 = 2): Promise<SigningServices> {
  const { loadSigningConfig, servicesFromSigningConfig, PUBLIC_GOOD_SERVICES } = await import('../sign/index.js');
  if (flags.signingConfig) {
    if (flags.rekorUrl || flags.fulcioUrl || flags.oidcIssuer || flags.timestampServerUrl) {
      throw invalidInput('cannot specify service URLs and use a signing config: pass one or the other');
    }
    const config = await loadSigningConfig(flags.signingConfig, (p) => readFile(p));
    const found = servicesFromSigningConfig(config, new Date(), maxRekorVersion);
    if (flags.tlogUpload && !found.rekorUrl) throw invalidInput(`${flags.signingConfig} names no usable Rekor log`);
    return found;
  }
  const allGiven = flags.rekorUrl && flags.fulcioUrl && flags.oidcIssuer;
  const instance = allGiven ? undefined : await (await import('../trust/index.js')).resolveInstance();
  const defaults: SigningServices = instance?.signingConfig
    ? servicesFromSigningConfig(instance.signingConfig, new Date(), maxRekorVersion)
    : PUBLIC_GOOD_SERVICES;
  const services: SigningServices = {
    rekorUrl: flags.rekorUrl ?? defaults.rekorUrl,
    ...(!flags.rekorUrl && defaults.rekorApiVersion ? { rekorApiVersion: defaults.rekorApiVersion } : {}),
    fulcioUrl: flags.fulcioUrl ?? defaults.fulcioUrl,
    oidcIssuer: flags.oidcIssuer ?? defaults.oidcIssuer,
  };
  const tsaUrl = flags.timestampServerUrl ?? defaults.tsaUrl;
  if (tsaUrl) services.tsaUrl = tsaUrl;
  return services;
}

/** Where signBlob/attestStatement/signImage log and timestamp, from the chosen services. */
export function tlogOptions(services: SigningServices): Pick<TlogOptions, 'rekorUrl' | 'rekorApiVersion' | 'tsaUrl'> {
  return { rekorUrl: services.rekorUrl, rekorApiVersion: services.rekorApiVersion, tsaUrl: services.tsaUrl };
}

/** The signer the flags ask for: the --key, else an ephemeral key certified for the caller's OIDC identity. */
export async function signerFor(flags: SignFlags, services: SigningServices): Promise<Signer> {
  const { keylessSigner, signerFromPrivateKey } = await import('../sign/index.js');
  if (flags.key) {
    const { loadPrivateKey } = await import('../crypto/index.js');
    return signerFromPrivateKey(await loadPrivateKey(await readText(flags.key), passwordFor(flags.key), flags.key));
  }
  if (!services.fulcioUrl)
    throw invalidInput('no certificate authority for keyless signing: pass --fulcio-url or --key');
  if (!flags.yes && flags.tlogUpload && process.stdin.isTTY && process.stderr.isTTY) {
    process.stderr.write(
      `Keyless signing records the identity in your certificate (your email or workload identity) in the public,\n` +
        `append-only transparency log at ${services.rekorUrl}; it cannot be removed later.\n`,
    );
    if (!(await confirm('Are you sure you would like to continue?'))) throw invalidInput('user declined the prompt');
  }
  const { getIdentityToken, tokenIdentity } = await import('../oidc/index.js');
  const token = await getIdentityToken({
    identityToken: flags.identityToken,
    issuer: services.oidcIssuer,
    clientId: flags.oidcClientId,
    clientSecret: flags.oidcClientSecretFile ? (await readText(flags.oidcClientSecretFile)).trim() : undefined,
    flow: parseFlow(flags.fulcioAuthFlow),
    interactive: process.stdin.isTTY || process.stderr.isTTY,
    log: (line) => process.stderr.write(line + '\n'),
  });
  info('Generating ephemeral keys...');
  info(`Retrieving signed certificate for ${tokenIdentity(token.token)}...`);
  const signer = await keylessSigner(services.fulcioUrl, token.token);
  info('Successfully verified SCT...');
  return signer;
}

function parseFlow(flow: string | undefined): AuthFlow | undefined {
  if (flow === undefined) return undefined;
  if (flow === 'normal' || flow === 'device') return flow;
  throw invalidInput(`--fulcio-auth-flow must be normal or device, got ${JSON.stringify(flow)}`);
}

/** Progress on stderr: results always, chatter only on a terminal. */
export function info(line: string, always = false): void {
  if (always || process.stderr.isTTY) process.stderr.write(line + '\n');
}
