import { createHash, createPublicKey, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { preAuthEncoding } from '../bundle/index.js';
import { encodePem, pemBlocks } from '../encoding/index.js';
import { SignetError, invalidInput, invalidOption } from '../errors.js';
import type { PkiFormat, ProposedEntry } from './types.js';

/** What `signet log upload` (rekor-cli's artifact flags) knows, already read from files. */
export interface ArtifactProperties {
  artifact?: Buffer;
  /** `sha256:<hex>` or bare hex (64/96/128 chars select sha256/384/512). */
  artifactHash?: string;
  /** The raw signature bytes (a file's base64 text is decoded at the edge: `signatureBytes`). */
  signature?: Buffer;
  publicKeys: Buffer[];
  pkiFormat: PkiFormat;
}

export type EntryType = 'hashedrekord' | 'rekord' | 'intoto' | 'dsse';
export const ENTRY_TYPES: readonly EntryType[] = ['hashedrekord', 'rekord', 'intoto', 'dsse'];

/** Builds the ProposedEntry Rekor's openapi.yaml defines for `type` (`kind` or `kind:version`). */
export function buildProposedEntry(type: string, props: ArtifactProperties): ProposedEntry {
  const [kind, version] = type.split(':') as [string, string | undefined];
  switch (kind) {
    case 'hashedrekord':
      return hashedRekord(version ?? '0.0.1', props);
    case 'rekord':
      return rekord(version ?? '0.0.1', props);
    case 'intoto':
      return intoto(version ?? '0.0.2', props);
    case 'dsse':
      return dsse(version ?? '0.0.1', props);
    default:
      throw invalidInput(`unknown entry type ${JSON.stringify(type)}: use one of ${ENTRY_TYPES.join(', ')}`);
  }
}

function hashedRekord(version: string, p: ArtifactProperties): ProposedEntry {
  requireVersion('hashedrekord', version, ['0.0.1']);
  if (p.pkiFormat !== 'x509') throw invalidInput(`hashedrekord entries take x509 keys only, not ${p.pkiFormat}`);
  const hash = p.artifactHash ? parseArtifactHash(p.artifactHash) : sha256Of(need(p.artifact, 'an artifact'));
  if (p.artifactHash && p.artifact && hash.value !== digestOf(hash.algorithm, p.artifact)) {
    throw invalidOption('artifactHash', 'the given artifact hash does not match the artifact');
  }
  return {
    apiVersion: version,
    kind: 'hashedrekord',
    spec: {
      data: { hash },
      signature: {
        content: need(p.signature, 'a signature').toString('base64'),
        publicKey: { content: Buffer.from(x509Pem(onlyKey(p))).toString('base64') },
      },
    },
  };
}

function rekord(version: string, p: ArtifactProperties): ProposedEntry {
  requireVersion('rekord', version, ['0.0.1']);
  if (p.pkiFormat === 'tuf') throw invalidInput('rekord entries take pgp, x509, ssh or minisign keys, not tuf');
  const artifact = need(p.artifact, 'an artifact');
  if (p.artifactHash && parseArtifactHash(p.artifactHash).value !== digestOf('sha256', artifact)) {
    throw invalidOption('artifactHash', 'the given artifact hash does not match the artifact');
  }
  const sig = need(p.signature, 'a signature');
  return {
    apiVersion: version,
    kind: 'rekord',
    spec: {
      signature: {
        format: p.pkiFormat,
        content: sig.toString('base64'),
        publicKey: { content: onlyKey(p).toString('base64') },
      },
      data: { content: artifact.toString('base64') },
    },
  };
}

/** intoto 0.0.2 stores the payload and sig base64-encoded once more (a frozen Rekor quirk, rekor#1139). */
function intoto(version: string, p: ArtifactProperties): ProposedEntry {
  requireVersion('intoto', version, ['0.0.1', '0.0.2']);
  const raw = need(p.artifact, 'a DSSE envelope as its artifact');
  const env = parseEnvelope(raw);
  const keys = p.publicKeys.map(x509Key);
  if (keys.length === 0) throw invalidOption('publicKeys', 'intoto entries need a public key');
  const envelopeHash = { algorithm: 'sha256', value: digestOf('sha256', raw) };
  if (version === '0.0.1') {
    return {
      apiVersion: version,
      kind: 'intoto',
      spec: { content: { envelope: raw.toString('utf8') }, publicKey: pemOf(keys[0]!) },
    };
  }
  const signatures = env.signatures.map((s) => {
    const key = keys.find((k) => dsseSignatureVerifies(env, s.sig, k));
    if (!key)
      throw new SignetError(
        'verification-failed',
        'a signature in the envelope is not made by any of the public keys given',
        {
          detail: { option: 'publicKeys' },
        },
      );
    const item: Record<string, string> = { sig: b64(s.sig), publicKey: pemOf(key) };
    if (s.keyid) item.keyid = s.keyid;
    return item;
  });
  return {
    apiVersion: version,
    kind: 'intoto',
    spec: {
      content: {
        envelope: { payload: b64(env.payload), payloadType: env.payloadType, signatures },
        hash: envelopeHash,
      },
    },
  };
}

function dsse(version: string, p: ArtifactProperties): ProposedEntry {
  requireVersion('dsse', version, ['0.0.1']);
  const raw = need(p.artifact, 'a DSSE envelope as its artifact');
  parseEnvelope(raw);
  if (p.publicKeys.length === 0) throw invalidOption('publicKeys', 'dsse entries need a public key');
  // Certificates stay certificates (as cosign and sigstore-js send them), so the log indexes their identities.
  const verifiers = p.publicKeys.map((k) => b64(x509Pem(k)));
  return {
    apiVersion: version,
    kind: 'dsse',
    spec: { proposedContent: { envelope: raw.toString('utf8'), verifiers } },
  };
}

interface Envelope {
  payload: string;
  payloadType: string;
  signatures: { sig: string; keyid?: string }[];
}

function parseEnvelope(raw: Buffer): Envelope {
  let env: Envelope;
  try {
    env = JSON.parse(raw.toString('utf8')) as Envelope;
  } catch {
    throw invalidInput('the artifact is not a DSSE envelope: not JSON');
  }
  const ok =
    typeof env?.payload === 'string' &&
    typeof env.payloadType === 'string' &&
    Array.isArray(env.signatures) &&
    env.signatures.length > 0 &&
    env.signatures.every((s) => typeof s?.sig === 'string');
  if (!ok) throw invalidInput('the artifact is not a DSSE envelope: needs payload, payloadType and signatures');
  return env;
}

function dsseSignatureVerifies(env: Envelope, sig: string, key: KeyObject): boolean {
  const message = preAuthEncoding(env.payloadType, Buffer.from(env.payload, 'base64'));
  const alg = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  try {
    return verify(alg, message, key, Buffer.from(sig, 'base64'));
  } catch {
    return false;
  }
}

/** `sha256:<hex>` or bare hex; the length picks the algorithm as rekor-cli does. */
export function parseArtifactHash(s: string): { algorithm: string; value: string } {
  const m = /^(?:(sha256|sha384|sha512):)?([0-9a-fA-F]+)$/.exec(s.trim());
  const lengths: Record<number, string> = { 64: 'sha256', 96: 'sha384', 128: 'sha512' };
  const byLength = m ? lengths[m[2]!.length] : undefined;
  if (!m || !byLength || (m[1] && m[1] !== byLength)) {
    throw invalidInput(`not an artifact hash: ${JSON.stringify(s.slice(0, 140))} (want sha256:<64 hex>)`);
  }
  return { algorithm: byLength, value: m[2]!.toLowerCase() };
}

function sha256Of(data: Buffer) {
  return { algorithm: 'sha256', value: digestOf('sha256', data) };
}

function digestOf(algorithm: string, data: Buffer): string {
  return createHash(algorithm).update(data).digest('hex');
}

/** Raw DER/binary signature, or the same base64-encoded (what cosign and `openssl | base64` write). */
export function signatureBytes(file: Buffer): Buffer {
  const text = file.toString('latin1').replace(/\s+/g, '');
  const isBase64 = /^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0 && text.length >= 8;
  // Raw DER or raw Ed25519/RSA bytes are never all base64 characters (DER has 0x02 tags), so text that is
  // all base64 is a base64 signature, even when it starts with '0' (0x30, the byte DER starts with).
  return isBase64 ? Buffer.from(text, 'base64') : file;
}

/** A PEM public key or certificate (or their DER) as the PEM Rekor canonicalizes; certificates stay certificates. */
export function x509Pem(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    return pemBlocks(text, 'CERTIFICATE')
      .map((b) => certPem(b.der))
      .join('');
  }
  try {
    return certPem(bytes);
  } catch {
    return pemOfKey(x509Key(bytes));
  }
}

function certPem(bytes: Buffer): string {
  return encodePem('CERTIFICATE', new X509Certificate(bytes).raw);
}

function x509Key(bytes: Buffer): KeyObject {
  const text = bytes.toString('utf8');
  try {
    if (text.includes('-----BEGIN CERTIFICATE-----')) return new X509Certificate(bytes).publicKey;
    if (text.includes('-----BEGIN')) return createPublicKey(text);
    return createPublicKey({ key: bytes, format: 'der', type: 'spki' });
  } catch {
    try {
      return new X509Certificate(bytes).publicKey;
    } catch {
      throw invalidInput('the public key is not an x509 (PEM or DER) public key or certificate');
    }
  }
}

function pemOfKey(key: KeyObject): string {
  return key.export({ type: 'spki', format: 'pem' }).toString();
}

function pemOf(key: KeyObject): string {
  return b64(pemOfKey(key));
}

function onlyKey(p: ArtifactProperties): Buffer {
  if (p.publicKeys.length !== 1)
    throw invalidInput(`this entry type takes exactly one public key, got ${p.publicKeys.length}`);
  return p.publicKeys[0]!;
}

function need<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw invalidInput(`this entry type needs ${what}`);
  return v;
}

function requireVersion(kind: string, version: string, known: string[]): void {
  if (!known.includes(version))
    throw invalidInput(`${kind} version ${version} is not supported (use ${known.join(' or ')})`);
}

function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

/** Reads a prepared ProposedEntry (`--entry FILE`). */
export function parseProposedEntry(text: string): ProposedEntry {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw invalidInput('the entry file is not JSON');
  }
  const e = v as ProposedEntry;
  if (
    typeof e?.kind !== 'string' ||
    typeof e.apiVersion !== 'string' ||
    typeof e.spec !== 'object' ||
    e.spec === null
  ) {
    throw invalidInput('the entry file is not a proposed entry: needs kind, apiVersion and spec');
  }
  return e;
}
