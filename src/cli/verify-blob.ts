import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { Bundle, DsseEnvelope } from '../bundle/index.js';
import { invalidInput, verificationFailed } from '../errors.js';
import type { Artifact, VerifyOptions } from '../verify/index.js';
import { boolFlag, pflagBooleans } from './bool-flags.js';
import { CliExit, reportError, SIGNET_ERRORS } from './exit.js';
import { findEntryForSignature, sha256 } from './tlog-lookup.js';
import { readStdin, readText } from './files.js';
import {
  addVerifyOptions,
  checkPolicyFlags,
  normaliseAliases,
  policyFrom,
  readPublicKey,
  rekorUrlOption,
  trustFrom,
  type VerifyFlags,
} from './verify-flags.js';
import { summary } from './commands.js';

/** Loaded by the command that runs, so `signet --help` does not load it. */
const bundleCode = () => import('../bundle/index.js');
const encodingCode = () => import('../encoding/index.js');
const verifyCode = () => import('../verify/index.js');

export function registerVerifyBlob(program: Command): void {
  addVerifyOptions(
    program
      .command('verify-blob')
      .description(summary('verify-blob'))
      .argument('<artifact>', 'the file, - for stdin, or sha256:<hex> (its digest)'),
  )
    .option('--bundle <file>', 'Sigstore bundle (.sigstore.json), or an old cosign bundle')
    .option(
      '--signature <file|base64>',
      'detached signature (a file, or the base64 text), with --certificate or --key; found in the log by the artifact hash',
    )
    .addOption(rekorUrlOption())
    .option('--certificate <file>', 'PEM signing certificate for --signature')
    .option('--certificate-chain <file>', 'PEM chain of --certificate (must lead to a CA of the trusted root)')
    .addOption(new Option('--cert <file>').hideHelp())
    .addOption(new Option('--cert-chain <file>').hideHelp())
    .action(async (artifact: string, flags: VerifyFlags) => {
      normaliseAliases(flags);
      checkPolicyFlags(flags);
      const blob = await readArtifact(artifact);
      await verifyWith(await loadBundle(flags, blob), flags, blob, {});
      process.stderr.write('Verified OK\n');
    });

  addVerifyOptions(
    program
      .command('verify-blob-attestation')
      .description(summary('verify-blob-attestation'))
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
    .addOption(boolFlag('--check-claims', 'check the artifact is a subject of the statement', true))
    .option(
      '--signature <file|base64>',
      'detached DSSE envelope (attest-blob --output-signature; a file or its base64), with --certificate or --key',
    )
    .addOption(rekorUrlOption())
    .option('--certificate <file>', 'PEM signing certificate for --signature')
    .option('--certificate-chain <file>', 'PEM chain of --certificate (must lead to a CA of the trusted root)')
    .addOption(new Option('--cert <file>').hideHelp())
    .addOption(new Option('--cert-chain <file>').hideHelp())
    .action(async (artifactArg: string | undefined, flags: VerifyFlags & AttestationFlags) => {
      normaliseAliases(flags);
      checkPolicyFlags(flags);
      if (!flags.bundle && !flags.signature) {
        throw new CliExit(1, 'verify-blob-attestation needs --bundle, or --signature with --certificate or --key');
      }
      const loaded = flags.bundle ? await loadBundle(flags) : await detachedAttestation(flags);
      if (!loaded.bundle.dsseEnvelope)
        throw verificationFailed('the bundle holds no DSSE envelope (not an attestation)');
      const artifact = await attestationArtifact(artifactArg, flags);
      const result = await verifyWith(loaded, flags, artifact, {});
      const want = (await verifyCode()).predicateTypeFor(flags.type ?? 'custom');
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
  checkClaims?: boolean;
}

async function attestationArtifact(arg: string | undefined, flags: AttestationFlags): Promise<Artifact | undefined> {
  if (flags.checkClaims === false) return undefined;
  if (flags.digest) return digestArtifact(`${flags.digestalg ?? flags.digestAlg ?? 'sha256'}:${flags.digest}`);
  if (!arg) throw new CliExit(1, 'give the artifact (or --digest, or --check-claims=false)');
  return readArtifact(arg);
}

interface LoadedBundle {
  bundle: Bundle;
  key?: KeyObject;
}

async function loadBundle(f: VerifyFlags, artifact?: Artifact): Promise<LoadedBundle> {
  const key = f.key ? await readPublicKey(f.key) : undefined;
  if (f.bundle) {
    if (f.signature || f.certificate)
      throw new CliExit(1, '--signature and --certificate cannot be used with --bundle');
    const json = parseJson(await readText(f.bundle, 'bundle'), f.bundle);
    if ((await bundleCode()).isLegacyCosignBundle(json)) {
      const legacy = (await bundleCode()).legacyToBundle((await bundleCode()).parseLegacyCosignBundle(json));
      if (legacy.publicKeyPem && !key)
        throw new CliExit(1, 'the cosign bundle is signed with a key: give it with --key');
      return key ? { bundle: legacy.bundle, key } : { bundle: legacy.bundle };
    }
    if (f.newBundleFormat === false) {
      // cosign then reads the file as its old bundle only, which a Sigstore bundle is not.
      throw new CliExit(
        1,
        `the bundle ${f.bundle} is a Sigstore bundle, not cosign's old bundle format (--new-bundle-format=false)`,
        'drop --new-bundle-format=false',
      );
    }
    const bundle = (await bundleCode()).parseBundle(json);
    return key ? { bundle, key } : { bundle };
  }
  if (!f.signature) throw new CliExit(1, 'give --bundle, or --signature with --certificate or --key');
  return detachedBundle(f, key, artifact!);
}

/** The signature text of --signature: the file's content if it names a file, else the argument itself. */
async function signatureText(f: VerifyFlags): Promise<string> {
  return existsSync(f.signature!) ? (await readText(f.signature!, 'signature')).trim() : f.signature!.trim();
}

/** The certificate (--certificate) or key (--key) material of a detached signature, with no log entry yet. */
async function detachedMaterial(f: VerifyFlags, key: KeyObject | undefined): Promise<Bundle['verificationMaterial']> {
  if (f.certificate) {
    const text = await readText(f.certificate, 'certificate');
    const pem = text.includes('-----BEGIN') ? text : Buffer.from(text.trim(), 'base64').toString('utf8');
    const leaf = (await encodingCode()).pemBlocks(pem, 'CERTIFICATE')[0];
    if (!leaf) throw invalidInput(`the certificate ${f.certificate} is not a PEM certificate`);
    return { x509CertificateChain: { certificates: [{ rawBytes: leaf.der.toString('base64') }] }, tlogEntries: [] };
  }
  if (key) return { publicKey: {}, tlogEntries: [] };
  throw new CliExit(1, '--signature needs --certificate or --key');
}

/**
 * verify-blob-attestation --signature: a DSSE envelope (JSON, or its base64) as attest-blob writes it. Its log entry
 * (dsse or intoto) is found by the statement's subject digest, which Rekor indexes, then verified as a bundle's.
 */
async function detachedAttestation(f: VerifyFlags): Promise<LoadedBundle> {
  const key = f.key ? await readPublicKey(f.key) : undefined;
  const text = await signatureText(f);
  const json = text.startsWith('{') ? text : Buffer.from(text, 'base64').toString('utf8');
  let envelope: DsseEnvelope;
  try {
    envelope = JSON.parse(json) as DsseEnvelope;
  } catch (e) {
    throw invalidInput(`the signature ${f.signature!.slice(0, 80)} is not a DSSE envelope (JSON or base64)`, e);
  }
  const sig = envelope?.signatures?.[0]?.sig;
  if (typeof envelope?.payload !== 'string' || typeof sig !== 'string') {
    throw invalidInput(`the signature ${f.signature!.slice(0, 80)} is not a signed DSSE envelope`);
  }
  const material = await detachedMaterial(f, key);
  if (!f.insecureIgnoreTlog) {
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as {
      subject?: { digest?: { sha256?: string } }[];
    };
    const subject = statement.subject?.find((s) => /^[0-9a-f]{64}$/.test(s.digest?.sha256 ?? ''));
    if (!subject) throw verificationFailed('the statement has no sha256 subject to look its log entry up by');
    material.tlogEntries.push(
      await findEntryForSignature(f.rekorUrl, Buffer.from(subject.digest!.sha256!, 'hex'), Buffer.from(sig, 'base64')),
    );
  }
  const bundle: Bundle = {
    mediaType: (await bundleCode()).BUNDLE_V01_MEDIA_TYPE,
    verificationMaterial: material,
    dsseEnvelope: envelope,
  };
  return key ? { bundle, key } : { bundle };
}

/**
 * `--signature` (a file, or the base64 text itself) with `--certificate` or `--key`, as cosign verifies it: the
 * log entry is found online (--rekor-url) by the artifact's hash unless --insecure-ignore-tlog; its SET then
 * vouches for the time at which the certificate must have been valid.
 */
async function detachedBundle(f: VerifyFlags, key: KeyObject | undefined, artifact: Artifact): Promise<LoadedBundle> {
  const sigText = await signatureText(f);
  const signature = /^[A-Za-z0-9+/=\s]+$/.test(sigText) ? sigText.replace(/\s+/g, '') : '';
  if (!signature) throw invalidInput(`the signature ${f.signature!.slice(0, 80)} is not a file nor base64`);
  const material = await detachedMaterial(f, key);
  if (!f.insecureIgnoreTlog) {
    const digest = 'bytes' in artifact ? sha256(artifact.bytes) : artifact.algorithm === 'sha256' && artifact.digest;
    if (!digest) throw new CliExit(1, 'a detached signature is looked up in the log by the sha256 of the artifact');
    const entry = await findEntryForSignature(f.rekorUrl, digest, Buffer.from(signature, 'base64'));
    material.tlogEntries.push(entry);
  }
  const bundle: Bundle = {
    mediaType: (await bundleCode()).BUNDLE_V01_MEDIA_TYPE,
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
  return (await verifyCode()).verifyBundle(loaded.bundle, await trustFrom(f), options);
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
  const { Command } = await import('commander');
  const program = new Command('signet').configureOutput(SIGNET_ERRORS).exitOverride();
  registerVerifyBlob(program);
  try {
    await program.parseAsync(pflagBooleans(program, argv), { from: 'user' });
    return 0;
  } catch (e) {
    return reportError(e);
  }
}
