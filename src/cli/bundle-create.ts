import { createPublicKey, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import type { Bundle, DsseEnvelope, VerificationMaterial } from '../bundle/index.js';
import { invalidInput } from '../errors.js';
import { boolFlag } from './bool-flags.js';
import { CliExit } from './exit.js';
import { readInput, readText, writeOutput } from './files.js';
import { findEntryForSignature, sha256 } from './tlog-lookup.js';
import { readPublicKey } from './verify-flags.js';
import { summary } from './commands.js';

/** Loaded by the command that runs, so `signet --help` does not load it. */
const bundleCode = () => import('../bundle/index.js');
const encodingCode = () => import('../encoding/index.js');

interface BundleCreateFlags {
  artifact?: string;
  attestation?: string;
  bundle?: string;
  certificate?: string;
  key?: string;
  signature?: string;
  rfc3161Timestamp?: string;
  rekorUrl?: string;
  ignoreTlog?: boolean;
  out?: string;
}

/** `signet bundle create` (cosign bundle create): a Sigstore bundle v0.3 from detached signing material. */
export function registerBundle(program: Command): void {
  const bundle = program.command('bundle').description(summary('bundle'));
  bundle
    .command('create')
    .description(
      'create a Sigstore bundle (v0.3) from a detached signature or DSSE attestation, its certificate or key, and its log entry',
    )
    .option('--artifact <file>', 'the signed artifact (required)')
    .option('--signature <file>', 'the base64 signature over the artifact (sign-blob --output-signature)')
    .option('--attestation <file>', 'a DSSE envelope (attest-blob --output-signature) instead of --signature')
    .option('--bundle <file>', "cosign's old bundle (--new-bundle-format=false) instead of --signature/--certificate")
    .option(
      '--certificate <file>',
      'the signing certificate: PEM, or base64 of the PEM (sign-blob --output-certificate)',
    )
    .option('--key <file>', 'the public key of a key-based signature (cosign.pub)')
    .option(
      '--rfc3161-timestamp <file>',
      'an RFC 3161 timestamp, as cosign writes it ({"SignedRFC3161Timestamp": ...})',
    )
    .option(
      '--rekor-url <url>',
      'the log the entry is looked up in, by the artifact hash (default $SIGNET_REKOR_URL or public-good)',
    )
    .addOption(boolFlag('--ignore-tlog', 'no log entry: for a signature that was never uploaded'))
    .option('--out <file>', 'write the bundle here (else it is printed)')
    .addHelpText(
      'after',
      `
Examples:
  signet bundle create --artifact app.tar.gz --signature app.sig --certificate app.pem \\
      --rekor-url http://127.0.0.1:3000 --out app.sigstore.json
  signet bundle create --artifact app.tar.gz --attestation app.att.json --key cosign.pub --out att.sigstore.json`,
    )
    .action(async (flags: BundleCreateFlags) => {
      const created = await createBundle(flags);
      const json = (await bundleCode()).serializeBundle(created);
      if (await writeOutput(flags.out, json)) process.stderr.write(`Wrote bundle to file ${flags.out}\n`);
    });
}

async function createBundle(f: BundleCreateFlags): Promise<Bundle> {
  if (!f.artifact) throw new CliExit(1, 'must supply --artifact');
  if (f.bundle && (f.signature || f.certificate)) {
    throw new CliExit(1, '--bundle cannot be used with --signature or --certificate');
  }
  if (f.signature && f.attestation) throw new CliExit(1, 'give --signature or --attestation, not both');
  if (!f.bundle && !f.signature && !f.attestation) {
    throw new CliExit(1, 'must supply a signature: --signature, --attestation or --bundle');
  }
  if (f.certificate && f.key) throw new CliExit(1, 'give --certificate or --key, not both');
  const artifact = await readInput(f.artifact, 'artifact');

  let signature: Buffer | undefined;
  let envelope: DsseEnvelope | undefined;
  let certificate: Buffer | undefined;
  let legacyHasSet = false;
  let legacyKey: KeyObject | undefined;
  if (f.bundle) {
    const { isLegacyCosignBundle, parseLegacyCosignBundle } = await bundleCode();
    const json = parseJson(await readText(f.bundle, 'bundle'), `the bundle ${f.bundle}`);
    if (!isLegacyCosignBundle(json)) {
      throw invalidInput(`${f.bundle} is not cosign's old bundle format (base64Signature, cert, rekorBundle)`);
    }
    const legacy = parseLegacyCosignBundle(json);
    legacyHasSet = !!legacy.rekorBundle;
    const decoded = Buffer.from(legacy.base64Signature, 'base64');
    envelope = dsseOrUndefined(decoded);
    if (!envelope) signature = decoded;
    if (legacy.certPem) certificate = await firstCertificate(legacy.certPem);
    if (legacy.certPem && !certificate) legacyKey = publicKeyPem(legacy.certPem, f.bundle);
  }
  if (f.ignoreTlog && legacyHasSet) {
    throw new CliExit(1, 'cannot ignore the transparency log when the bundle holds a signed entry timestamp');
  }
  if (f.signature) signature = await readSignature(f.signature);
  if (f.attestation) {
    const text = await readText(f.attestation, 'attestation');
    envelope = dsseOrUndefined(Buffer.from(text.trim(), 'utf8'));
    if (!envelope) throw invalidInput(`the attestation ${f.attestation} is not a signed DSSE envelope (JSON)`);
  }
  if (f.certificate) certificate = await certificateFile(f.certificate);
  const key: KeyObject | undefined = f.key ? await readPublicKey(f.key) : legacyKey;

  // In protobuf-specs' field order: the signer, the log entries, the timestamps.
  const material = (
    certificate
      ? { certificate: { rawBytes: certificate.toString('base64') } }
      : key
        ? { publicKey: { hint: sha256(key.export({ format: 'der', type: 'spki' })).toString('base64') } }
        : {}
  ) as VerificationMaterial;
  material.tlogEntries = [];
  if (!f.ignoreTlog) {
    // cosign's tlog search: the entry whose body holds this signature, found by the artifact's hash.
    const sig = envelope ? Buffer.from(envelope.signatures[0]!.sig, 'base64') : signature!;
    material.tlogEntries.push(await findEntryForSignature(f.rekorUrl, sha256(artifact), sig));
  }
  if (f.rfc3161Timestamp) {
    material.timestampVerificationData = { rfc3161Timestamps: [{ signedTimestamp: await readTimestamp(f) }] };
  }
  const out: Bundle = { mediaType: (await bundleCode()).BUNDLE_V03_LEGACY_MEDIA_TYPE, verificationMaterial: material };
  if (envelope) {
    out.dsseEnvelope = {
      payload: envelope.payload,
      payloadType: envelope.payloadType,
      signatures: [{ sig: envelope.signatures[0]!.sig }],
    };
  } else {
    out.messageSignature = {
      messageDigest: { algorithm: 'SHA2_256', digest: sha256(artifact).toString('base64') },
      signature: signature!.toString('base64'),
    };
  }
  return out;
}

/** A DSSE envelope with a signature, or undefined when the bytes are not one (then they are a plain signature). */
function dsseOrUndefined(bytes: Buffer): DsseEnvelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const e = parsed as Partial<DsseEnvelope> | null;
  if (typeof e?.payload !== 'string' || typeof e.payloadType !== 'string') return undefined;
  if (!Array.isArray(e.signatures) || typeof e.signatures[0]?.sig !== 'string') return undefined;
  return e as DsseEnvelope;
}

/** The base64 signature file sign-blob writes (or the base64 text itself, as verify-blob --signature takes it). */
async function readSignature(arg: string): Promise<Buffer> {
  const text = (existsSync(arg) ? await readText(arg, 'signature') : arg).trim();
  if (!/^[A-Za-z0-9+/=\s]+$/.test(text) || text.length === 0) {
    throw invalidInput(`the signature ${arg.slice(0, 80)} is not base64 (sign-blob --output-signature writes it)`);
  }
  return Buffer.from(text.replace(/\s+/g, ''), 'base64');
}

/** A certificate file: PEM, or base64 of the PEM as cosign's --output-certificate writes it. */
async function certificateFile(path: string): Promise<Buffer> {
  const text = await readText(path, 'certificate');
  const pem = text.includes('-----BEGIN') ? text : Buffer.from(text.trim(), 'base64').toString('utf8');
  const der = await firstCertificate(pem);
  if (!der) throw invalidInput(`the certificate ${path} is not a PEM certificate (nor base64 of one)`);
  return der;
}

async function firstCertificate(pem: string): Promise<Buffer | undefined> {
  return (await encodingCode()).pemBlocks(pem, 'CERTIFICATE')[0]?.der;
}

async function readTimestamp(f: BundleCreateFlags): Promise<string> {
  const json = parseJson(await readText(f.rfc3161Timestamp!, 'timestamp'), `the timestamp ${f.rfc3161Timestamp}`);
  const ts = (json as { SignedRFC3161Timestamp?: unknown } | null)?.SignedRFC3161Timestamp;
  if (typeof ts !== 'string' || ts.length === 0) {
    throw invalidInput(`the timestamp ${f.rfc3161Timestamp} has no SignedRFC3161Timestamp`);
  }
  return ts;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw invalidInput(`${what} is not valid JSON`, e);
  }
}

/** A key-signed old bundle carries the public key PEM as its `cert`. */
function publicKeyPem(pem: string, where: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch (e) {
    throw invalidInput(`the cert of ${where} is neither a certificate nor a public key`, e);
  }
}
