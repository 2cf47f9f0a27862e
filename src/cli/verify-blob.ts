import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import {
  isLegacyCosignBundle,
  legacyToBundle,
  parseBundle,
  parseLegacyCosignBundle,
  pemBlocks,
  BUNDLE_V01_MEDIA_TYPE,
  type Bundle,
} from '../bundle/index.js';
import { invalidInput, verificationFailed } from '../errors.js';
import { predicateTypeFor, verifyBundle, type Artifact, type VerifyOptions } from '../verify/index.js';
import { CliExit } from './exit.js';
import { readStdin, readText } from './files.js';
import {
  addVerifyOptions,
  checkPolicyFlags,
  normaliseAliases,
  policyFrom,
  readPublicKey,
  trustFrom,
  type VerifyFlags,
} from './verify-flags.js';

export function registerVerifyBlob(program: Command): void {
  addVerifyOptions(
    program
      .command('verify-blob')
      .description(
        'verify a blob signature: a Sigstore bundle, or a detached signature and certificate (cosign verify-blob)',
      )
      .argument('<artifact>', 'the file, - for stdin, or sha256:<hex> (its digest)'),
  )
    .option('--bundle <file>', 'Sigstore bundle (.sigstore.json), or an old cosign bundle')
    .option(
      '--signature <file>',
      'detached signature (base64), with --certificate or --key; needs --insecure-ignore-tlog',
    )
    .option('--certificate <file>', 'PEM signing certificate for --signature')
    .option('--certificate-chain <file>', 'PEM chain of --certificate (must lead to a CA of the trusted root)')
    .addOption(new Option('--cert <file>').hideHelp())
    .addOption(new Option('--cert-chain <file>').hideHelp())
    .action(async (artifact: string, flags: VerifyFlags) => {
      normaliseAliases(flags);
      checkPolicyFlags(flags);
      const bundleAndKey = await loadBundle(flags);
      await verifyWith(bundleAndKey, flags, await readArtifact(artifact), {});
      process.stderr.write('Verified OK\n');
    });

  addVerifyOptions(
    program
      .command('verify-blob-attestation')
      .description('verify an in-toto attestation bundle about a blob (cosign verify-blob-attestation)')
      .argument('[artifact]', 'the file, or sha256:<hex>; omit with --check-claims=false'),
  )
    .option('--bundle <file>', 'Sigstore bundle (.sigstore.json), or an old cosign bundle')
    .option(
      '--type <type>',
      'predicate type: custom, slsaprovenance, slsaprovenance1, spdx, spdxjson, cyclonedx, vuln, openvex, link, or a URI',
      'custom',
    )
    .option('--digest <hex>', 'the artifact digest instead of the artifact')
    .option('--digest-alg <alg>', 'algorithm of --digest', 'sha256')
    .addOption(new Option('--digestAlg <alg>').hideHelp())
    .option('--check-claims <bool>', 'check the artifact is a subject of the statement', 'true')
    .action(async (artifactArg: string | undefined, flags: VerifyFlags & AttestationFlags) => {
      normaliseAliases(flags);
      checkPolicyFlags(flags);
      if (!flags.bundle) throw new CliExit(1, 'verify-blob-attestation needs --bundle');
      const loaded = await loadBundle(flags);
      if (!loaded.bundle.dsseEnvelope)
        throw verificationFailed('the bundle holds no DSSE envelope (not an attestation)');
      const artifact = await attestationArtifact(artifactArg, flags);
      const result = await verifyWith(loaded, flags, artifact, {});
      const want = predicateTypeFor(flags.type ?? 'custom');
      const got = result.statement?.predicateType;
      if (got !== want) throw verificationFailed(`invalid predicate type, expected ${want} got ${got ?? '(none)'}`);
      process.stderr.write('Verified OK\n');
    });
}

interface AttestationFlags {
  type?: string;
  digest?: string;
  digestAlg?: string;
  digestalg?: string;
  checkClaims?: string;
}

async function attestationArtifact(arg: string | undefined, flags: AttestationFlags): Promise<Artifact | undefined> {
  const checkClaims = !/^(false|0|no)$/i.test(flags.checkClaims ?? 'true');
  if (!checkClaims) return undefined;
  if (flags.digest) return digestArtifact(`${flags.digestalg ?? flags.digestAlg ?? 'sha256'}:${flags.digest}`);
  if (!arg) throw new CliExit(1, 'give the artifact (or --digest, or --check-claims=false)');
  return readArtifact(arg);
}

interface LoadedBundle {
  bundle: Bundle;
  key?: KeyObject;
}

async function loadBundle(f: VerifyFlags): Promise<LoadedBundle> {
  const key = f.key ? await readPublicKey(f.key) : undefined;
  if (f.bundle) {
    if (f.signature || f.certificate)
      throw new CliExit(1, '--signature and --certificate cannot be used with --bundle');
    const json = parseJson(await readText(f.bundle, 'bundle'), f.bundle);
    if (isLegacyCosignBundle(json)) {
      const legacy = legacyToBundle(parseLegacyCosignBundle(json));
      if (legacy.publicKeyPem && !key)
        throw new CliExit(1, 'the cosign bundle is signed with a key: give it with --key');
      return key ? { bundle: legacy.bundle, key } : { bundle: legacy.bundle };
    }
    const bundle = parseBundle(json);
    return key ? { bundle, key } : { bundle };
  }
  if (!f.signature) throw new CliExit(1, 'give --bundle, or --signature with --certificate or --key');
  return detachedBundle(f, key);
}

/** `--signature` (+ `--certificate`): a bundle without log entries, so it verifies only with --insecure-ignore-tlog. */
async function detachedBundle(f: VerifyFlags, key: KeyObject | undefined): Promise<LoadedBundle> {
  const sigText = (await readText(f.signature!, 'signature')).trim();
  const signature = /^[A-Za-z0-9+/=\s]+$/.test(sigText) ? sigText.replace(/\s+/g, '') : '';
  if (!signature) throw invalidInput(`the signature ${f.signature} is not base64`);
  let material: Bundle['verificationMaterial'];
  if (f.certificate) {
    const text = await readText(f.certificate, 'certificate');
    const pem = text.includes('-----BEGIN') ? text : Buffer.from(text.trim(), 'base64').toString('utf8');
    const leaf = pemBlocks(pem, 'CERTIFICATE')[0];
    if (!leaf) throw invalidInput(`the certificate ${f.certificate} is not a PEM certificate`);
    material = { x509CertificateChain: { certificates: [{ rawBytes: leaf.der.toString('base64') }] }, tlogEntries: [] };
  } else if (key) material = { publicKey: {}, tlogEntries: [] };
  else throw new CliExit(1, '--signature needs --certificate or --key');
  if (!f.insecureIgnoreTlog) {
    throw new CliExit(
      1,
      'a detached signature has no transparency log entry',
      'use --bundle, or --insecure-ignore-tlog',
    );
  }
  const bundle: Bundle = {
    mediaType: BUNDLE_V01_MEDIA_TYPE,
    verificationMaterial: material,
    messageSignature: { signature },
  };
  return key ? { bundle, key } : { bundle };
}

async function verifyWith(
  loaded: LoadedBundle,
  f: VerifyFlags,
  artifact: Artifact | undefined,
  extra: Partial<VerifyOptions>,
) {
  const options: VerifyOptions = {
    policy: policyFrom(f),
    ignoreTlog: !!f.insecureIgnoreTlog,
    ignoreSct: !!f.insecureIgnoreSct,
    ...extra,
  };
  if (artifact) options.artifact = artifact;
  if (loaded.key) options.key = loaded.key;
  return verifyBundle(loaded.bundle, await trustFrom(f), options);
}

/** A file, `-` (stdin), or `sha256:<hex>` when no such file exists (cosign's and the conformance suite's rule). */
async function readArtifact(arg: string): Promise<Artifact> {
  if (arg === '-') return { bytes: await readStdin() };
  if (/^sha(256|384|512):/.test(arg) && !existsSync(arg)) return digestArtifact(arg);
  try {
    return { bytes: await readFile(arg) };
  } catch (e) {
    throw invalidInput(`cannot read the artifact ${arg}: ${(e as NodeJS.ErrnoException).code ?? e}`, e);
  }
}

const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

function digestArtifact(arg: string): Artifact {
  const [alg, hex] = arg.split(':', 2) as [string, string];
  const len = DIGEST_LENGTHS[alg.toLowerCase()];
  if (!len || !new RegExp(`^[0-9a-fA-F]{${len}}$`).test(hex ?? '')) {
    throw invalidInput(`${arg} is not a file nor a digest (sha256:<64 hex digits>)`);
  }
  return { digest: Buffer.from(hex, 'hex'), algorithm: alg.toLowerCase() as 'sha256' };
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalidInput(`the bundle ${where} is not valid JSON`, e);
  }
}

/**
 * Runs just the verify commands (no server modules loaded): the sigstore-conformance entrypoint calls this once
 * per case, where loading the whole CLI would dominate. Errors print as the main CLI prints them.
 */
export async function runVerifyCli(argv: string[]): Promise<number> {
  const { Command, CommanderError } = await import('commander');
  const { SignetError } = await import('../errors.js');
  const program = new Command('signet').exitOverride();
  registerVerifyBlob(program);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    console.error(`signet: error: ${message}`);
    if (e instanceof CliExit && e.hint) console.error(`signet: hint: ${e.hint}`);
    if (e instanceof SignetError && e.detail.hint) console.error(`signet: hint: ${e.detail.hint}`);
    return e instanceof CliExit ? e.exitCode : 1;
  }
}
