import { readFile, writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { serializeBundle, type Bundle } from '../bundle/index.js';
import { loadPrivateKey } from '../crypto/index.js';
import { invalidInput } from '../errors.js';
import { getIdentityToken, tokenIdentity, type AuthFlow } from '../oidc/client/index.js';
import { predicateTypeFor } from '../verify/index.js';
import {
  attestStatement,
  blobStatement,
  keylessSigner,
  legacyBlobBundle,
  loadSigningConfig,
  predicateFrom,
  servicesFromSigningConfig,
  signBlob,
  signerFromPrivateKey,
  PUBLIC_GOOD_SERVICES,
  type Signer,
  type SigningServices,
} from '../sign/index.js';
import { confirm, passwordFor, readText } from './keys.js';

interface SignFlags {
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

interface SignBlobFlags extends SignFlags {
  outputSignature?: string;
  outputCertificate?: string;
  b64: boolean;
}

interface AttestBlobFlags extends SignFlags {
  predicate?: string;
  statement?: string;
  type: string;
  outputSignature?: string;
  outputCertificate?: string;
}

/** `--flag`, `--flag=true|false` (cosign's Go boolean flags). */
function boolOption(flags: string, description: string): Option {
  return new Option(flags, description).default(true).argParser((v: string | undefined) => {
    if (v === undefined || v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
    throw invalidInput(`${flags.split(' ')[0]} takes true or false, got ${JSON.stringify(v)}`);
  });
}

function addSigningOptions(cmd: Command): Command {
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

export function registerSignBlob(program: Command): void {
  addSigningOptions(
    program
      .command('sign-blob')
      .description('sign a file (cosign sign-blob): key-based with --key, else keyless with an OIDC identity')
      .argument('<artifact>', "the file to sign ('-' for stdin)"),
  )
    .option('--output-signature <file>', 'write the base64 signature here (else it is printed)')
    .option('--output-certificate <file>', 'write the signing certificate here (base64 of the PEM with --b64)')
    .addOption(boolOption('--b64 [bool]', 'base64-encode the signature and certificate files (default true)'))
    .addHelpText(
      'after',
      `
Examples:
  signet sign-blob --key cosign.key --bundle file.sigstore.json --rekor-url http://127.0.0.1:3000 file
  signet sign-blob --signing-config http://127.0.0.1:3000/signing_config.json \\
      --identity-token "$(signet oidc token --email you@example.com --issuer http://127.0.0.1:3000/oidc)" \\
      --bundle file.sigstore.json file`,
    )
    .action(async (artifactPath: string, flags: SignBlobFlags) => {
      const artifact = await readArtifact(artifactPath);
      const services = await resolveServices(flags);
      const signer = await signerFor(flags, services);
      const signed = await signBlob(artifact, signer, { rekorUrl: services.rekorUrl, tlogUpload: flags.tlogUpload });
      if (signed.tlogEntry) info(`tlog entry created with index: ${signed.tlogEntry.logIndex}`, true);
      const sig = signed.signature.toString('base64');
      if (flags.bundle) {
        await writeBundle(flags, signed.bundle, () =>
          legacyBlobBundle(signed.signature, signed.verifierPem, signed.tlogEntry),
        );
      }
      if (flags.outputCertificate && signer.certificateChainPem) {
        const pem = signed.verifierPem;
        await writeOut(flags.outputCertificate, flags.b64 ? Buffer.from(pem).toString('base64') : pem, 'Certificate');
      }
      if (flags.outputSignature) {
        await writeOut(flags.outputSignature, flags.b64 ? sig : signed.signature, 'Signature');
      } else {
        process.stdout.write(sig + '\n');
      }
    });

  addSigningOptions(
    program
      .command('attest-blob')
      .description('sign an in-toto attestation about a file (cosign attest-blob), logged as a dsse entry')
      .argument('[artifact]', "the file the attestation is about ('-' for stdin); not needed with --statement"),
  )
    .option('--predicate <file>', 'the predicate (JSON; any text for --type custom)')
    .option('--statement <file>', 'a complete in-toto statement to sign instead of --predicate')
    .option(
      '--type <type>',
      'custom, slsaprovenance, slsaprovenance02, slsaprovenance1, link, spdx, spdxjson, cyclonedx, vuln, openvex, or a URI',
      'custom',
    )
    .option('--output-signature <file>', 'write the DSSE envelope JSON here')
    .option('--output-certificate <file>', 'write the signing certificate (PEM) here')
    .addHelpText(
      'after',
      '\nExample:\n  signet attest-blob --key cosign.key --predicate prov.json --type slsaprovenance1 --bundle att.sigstore.json file',
    )
    .action(async (artifactPath: string | undefined, flags: AttestBlobFlags) => {
      const statement = await buildStatement(artifactPath, flags);
      const services = await resolveServices(flags);
      const signer = await signerFor(flags, services);
      const signed = await attestStatement(statement, signer, {
        rekorUrl: services.rekorUrl,
        tlogUpload: flags.tlogUpload,
      });
      if (signed.tlogEntry) info(`tlog entry created with index: ${signed.tlogEntry.logIndex}`, true);
      const envelopeJson = JSON.stringify(signed.envelope);
      if (flags.bundle) {
        await writeBundle(flags, signed.bundle, () => ({
          ...legacyBlobBundle(Buffer.from(envelopeJson), signed.verifierPem, signed.tlogEntry),
          base64Signature: Buffer.from(envelopeJson).toString('base64'),
        }));
      }
      if (flags.outputCertificate && signer.certificateChainPem) {
        await writeOut(flags.outputCertificate, signed.verifierPem, 'Certificate');
      }
      if (flags.outputSignature) await writeOut(flags.outputSignature, envelopeJson, 'Attestation');
      else if (!flags.bundle) process.stdout.write(envelopeJson + '\n');
    });
}

async function buildStatement(artifactPath: string | undefined, flags: AttestBlobFlags): Promise<Buffer> {
  if (!!flags.predicate === !!flags.statement) throw invalidInput('pass exactly one of --predicate and --statement');
  if (flags.statement) {
    const raw = await readArtifact(flags.statement);
    let s: { _type?: unknown; subject?: unknown; predicateType?: unknown };
    try {
      s = JSON.parse(raw.toString('utf8'));
    } catch {
      throw invalidInput(`--statement ${flags.statement} is not JSON`);
    }
    if (typeof s._type !== 'string' || !Array.isArray(s.subject) || typeof s.predicateType !== 'string') {
      throw invalidInput(`--statement ${flags.statement} is not an in-toto statement (_type, subject, predicateType)`);
    }
    return raw; // signed byte for byte, as given
  }
  if (artifactPath === undefined) throw invalidInput('name the file the attestation is about (or pass --statement)');
  const predicateType = predicateTypeFor(flags.type);
  const predicate = predicateFrom(predicateType, await readArtifact(flags.predicate!));
  const name = artifactPath === '-' ? 'stdin' : artifactPath;
  return Buffer.from(JSON.stringify(blobStatement(name, await readArtifact(artifactPath), predicateType, predicate)));
}

/** Service URLs from --signing-config, or the URL flags, or Sigstore public-good defaults. */
async function resolveServices(flags: SignFlags): Promise<SigningServices> {
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

async function signerFor(flags: SignFlags, services: SigningServices): Promise<Signer> {
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

async function writeBundle(flags: SignFlags, bundle: Bundle, legacy: () => unknown): Promise<void> {
  const text = flags.newBundleFormat ? serializeBundle(bundle) : JSON.stringify(legacy());
  await writeOut(flags.bundle!, text, 'Bundle');
}

async function writeOut(path: string, data: string | Buffer, what: string): Promise<void> {
  try {
    await writeFile(path, data);
  } catch (e) {
    throw invalidInput(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  info(`Wrote ${what.toLowerCase()} to file ${path}`, true);
}

async function readArtifact(path: string): Promise<Buffer> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(path);
  } catch (e) {
    throw invalidInput(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Progress on stderr: results always, chatter only on a terminal. */
function info(line: string, always = false): void {
  if (always || process.stderr.isTTY) process.stderr.write(line + '\n');
}
