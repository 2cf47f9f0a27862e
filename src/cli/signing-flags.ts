import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { loadPrivateKey } from '../crypto/index.js';
import { invalidInput } from '../errors.js';
import { getIdentityToken, tokenIdentity, type AuthFlow } from '../oidc/client/index.js';
import {
  keylessSigner,
  loadSigningConfig,
  servicesFromSigningConfig,
  signerFromPrivateKey,
  PUBLIC_GOOD_SERVICES,
  type Signer,
  type SigningServices,
} from '../sign/index.js';
import { readText } from './files.js';
import { confirm, passwordFor } from './keys.js';

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
  yes?: boolean;
}

/** `--flag`, `--flag=true|false` (cosign's Go boolean flags). */
export function boolOption(flags: string, description: string, defaultValue = true): Option {
  return new Option(flags, description).default(defaultValue).argParser((v: string | undefined) => {
    if (v === undefined || v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw invalidInput(`${flags.split(' ')[0]} takes true or false, got ${JSON.stringify(v)}`);
  });
}

export function addSigningOptions(cmd: Command): Command {
  return cmd
    .option('--key <file>', 'private key: cosign.key (COSIGN_PASSWORD) or a PEM key; keyless when absent')
    .option('--bundle <file>', 'write the Sigstore bundle (or, with --new-bundle-format=false, the old cosign bundle)')
    .addOption(boolOption('--new-bundle-format [bool]', 'write a Sigstore bundle v0.3 (default true)'))
    .addOption(boolOption('--tlog-upload [bool]', 'log the signature in the transparency log (default true)'))
    .option('--rekor-url <url>', `transparency log (default ${PUBLIC_GOOD_SERVICES.rekorUrl})`)
    .option(
      '--fulcio-url <url>',
      `certificate authority for keyless signing (default ${PUBLIC_GOOD_SERVICES.fulcioUrl})`,
    )
    .option('--oidc-issuer <url>', `OIDC provider for interactive login (default ${PUBLIC_GOOD_SERVICES.oidcIssuer})`)
    .option('--oidc-client-id <id>', 'OIDC client id', 'sigstore')
    .option('--oidc-client-secret-file <file>', 'file holding the OIDC client secret')
    .option('--fulcio-auth-flow <flow>', 'interactive login: normal (browser) or device')
    .option('--identity-token <jwt|file>', 'OIDC identity token for keyless signing, or a file holding it')
    .option('--signing-config <file|url>', "signing_config.json naming the services (a stack's /signing_config.json)")
    .option('--trusted-root <file|url>', 'accepted for cosign compatibility; verification uses it, signing does not')
    .option('-y, --yes', 'skip the confirmation prompt for keyless signing');
}

/** Service URLs from --signing-config, or the URL flags, or Sigstore public-good defaults. */
export async function resolveServices(flags: SignFlags): Promise<SigningServices> {
  if (flags.signingConfig) {
    if (flags.rekorUrl || flags.fulcioUrl || flags.oidcIssuer) {
      throw invalidInput('cannot specify service URLs and use a signing config: pass one or the other');
    }
    const config = await loadSigningConfig(flags.signingConfig, (p) => readFile(p));
    const found = servicesFromSigningConfig(config);
    if (flags.tlogUpload && !found.rekorUrl) throw invalidInput(`${flags.signingConfig} names no usable Rekor v1 log`);
    return found;
  }
  return {
    rekorUrl: flags.rekorUrl ?? PUBLIC_GOOD_SERVICES.rekorUrl,
    fulcioUrl: flags.fulcioUrl ?? PUBLIC_GOOD_SERVICES.fulcioUrl,
    oidcIssuer: flags.oidcIssuer ?? PUBLIC_GOOD_SERVICES.oidcIssuer,
  };
}

/** The signer the flags ask for: the --key, else an ephemeral key certified for the caller's OIDC identity. */
export async function signerFor(flags: SignFlags, services: SigningServices): Promise<Signer> {
  if (flags.key)
    return signerFromPrivateKey(await loadPrivateKey(await readText(flags.key), passwordFor(flags.key), flags.key));
  if (!services.fulcioUrl)
    throw invalidInput('no certificate authority for keyless signing: pass --fulcio-url or --key');
  if (!flags.yes && flags.tlogUpload && process.stdin.isTTY && process.stderr.isTTY) {
    process.stderr.write(
      `Keyless signing records the identity in your certificate (your email or workload identity) in the public,\n` +
        `append-only transparency log at ${services.rekorUrl}; it cannot be removed later.\n`,
    );
    if (!(await confirm('Are you sure you would like to continue?'))) throw invalidInput('user declined the prompt');
  }
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
