import { createHash, createPublicKey } from 'node:crypto';
import type { DsseEnvelope, TransparencyLogEntry } from '../bundle/index.js';
import { pemBlocks } from '../encoding/index.js';
import { verificationFailed } from '../errors.js';

/** What the bundle claims was logged: the signature(s), the signer, and the digest the log should hold. */
export interface LoggedContent {
  /** The signer: a certificate (DER) or a public key (DER SPKI). */
  signer: { certificate: Buffer } | { spki: Buffer };
  signature: Buffer;
  /** messageSignature: the artifact digest by algorithm ('sha256' ...); computes others when the bytes exist. */
  artifactDigest?: (algorithm: string) => Buffer | undefined;
  dsse?: { envelope: DsseEnvelope; payload: Buffer; pae: Buffer };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Checks that the log entry's body records exactly this bundle (client spec §4.4): kind and version as the entry
 * says, same signature, same signer, same digest. Without this, a valid entry for another signature would
 * vouch for this one. `decodedBody` is the entry's canonicalizedBody decoded (verifyTransparencyLogEntry's `body`).
 */
export function verifyEntryBody(entry: TransparencyLogEntry, decodedBody: Buffer, content: LoggedContent): void {
  let body: Json;
  try {
    body = JSON.parse(decodedBody.toString('utf8'));
  } catch (e) {
    throw verificationFailed('the log entry body is not JSON', e);
  }
  const { kind, version } = entry.kindVersion;
  if (body?.kind !== kind || body?.apiVersion !== version) {
    throw verificationFailed(`the log entry body is not the ${kind} ${version} its entry says`);
  }
  const spec = body.spec ?? {};
  const check = BODY_CHECKS[`${kind}/${version}`];
  if (!check) throw verificationFailed(`log entries of kind ${kind} ${version} are not supported`);
  check(spec, content);
}

const BODY_CHECKS: Record<string, (spec: Json, c: LoggedContent) => void> = {
  'hashedrekord/0.0.1': (spec, c) => {
    if (c.dsse) fail('a hashedrekord 0.0.1 entry cannot record a DSSE envelope');
    sameSignature(b64(spec.signature?.content), c.signature);
    sameSigner(pemSigner(spec.signature?.publicKey?.content), c.signer);
    sameDigest(spec.data?.hash?.algorithm, hex(spec.data?.hash?.value), c);
  },
  'hashedrekord/0.0.2': (spec, c) => {
    const v2 = spec.hashedRekordV002 ?? {};
    sameSignature(b64(v2.signature?.content), c.signature);
    sameSigner(v2Signer(v2.signature?.verifier), c.signer);
    const digest = b64(v2.data?.digest);
    if (c.dsse) {
      // hashedrekord over DSSE (Rekor v2): the digest of the PAE the signature covers.
      if (!digest.equals(hash(protoHash(v2.data?.algorithm), c.dsse.pae)))
        fail('the log entry digest is not over this envelope');
    } else sameDigest(protoHash(v2.data?.algorithm), digest, c);
  },
  'dsse/0.0.1': (spec, c) => {
    const d = needDsse(c);
    samePayloadHash(spec.payloadHash?.algorithm, hex(spec.payloadHash?.value), d.payload);
    sameSignatures(
      (spec.signatures ?? []).map((s: Json) => ({ sig: b64(s.signature), signer: pemSigner(s.verifier) })),
      c,
    );
  },
  'dsse/0.0.2': (spec, c) => {
    const d = needDsse(c);
    const v2 = spec.dsseV002 ?? {};
    samePayloadHash(protoHash(v2.payloadHash?.algorithm), b64(v2.payloadHash?.digest), d.payload);
    sameSignatures(
      (v2.signatures ?? []).map((s: Json) => ({ sig: b64(s.content), signer: v2Signer(s.verifier) })),
      c,
    );
  },
  'intoto/0.0.2': (spec, c) => {
    const d = needDsse(c);
    const content = spec.content ?? {};
    samePayloadHash(content.payloadHash?.algorithm, hex(content.payloadHash?.value), d.payload);
    const env = content.envelope ?? {};
    if (env.payload !== undefined && b64(env.payload).toString('utf8') !== d.envelope.payload) {
      fail('the log entry payload is not this envelope payload');
    }
    // intoto 0.0.2 stores the signature base64-encoded twice.
    const sigs = (env.signatures ?? []).map((s: Json) => ({
      sig: b64(b64(s.sig).toString('utf8')),
      signer: pemSigner(s.publicKey),
    }));
    sameSignatures(sigs, c);
  },
};

function fail(message: string): never {
  throw verificationFailed(message);
}

function needDsse(c: LoggedContent): NonNullable<LoggedContent['dsse']> {
  if (!c.dsse) fail('a DSSE log entry cannot record a message signature');
  return c.dsse;
}

function sameSignature(logged: Buffer, signature: Buffer): void {
  if (!logged.equals(signature)) fail('the log entry signature is not the bundle signature');
}

function sameSignatures(logged: { sig: Buffer; signer: LoggedContent['signer'] }[], c: LoggedContent): void {
  if (logged.length !== 1) fail('the log entry does not record exactly the bundle signature');
  sameSignature(logged[0]!.sig, c.signature);
  sameSigner(logged[0]!.signer, c.signer);
}

function sameSigner(logged: LoggedContent['signer'], signer: LoggedContent['signer']): void {
  const ok =
    'certificate' in logged
      ? 'certificate' in signer && logged.certificate.equals(signer.certificate)
      : 'spki' in signer && sameKey(logged.spki, signer.spki);
  if (!ok) fail('the log entry signer is not the bundle signer');
}

/** The same key, whatever DER variant each side wrote (a point may be compressed in one of them). */
function sameKey(a: Buffer, b: Buffer): boolean {
  if (a.equals(b)) return true;
  try {
    const der = { format: 'der', type: 'spki' } as const;
    return createPublicKey({ key: a, ...der }).equals(createPublicKey({ key: b, ...der }));
  } catch {
    return false;
  }
}

function sameDigest(algorithm: unknown, logged: Buffer, c: LoggedContent): void {
  const want = typeof algorithm === 'string' ? c.artifactDigest?.(algorithm) : undefined;
  if (!want) fail(`the log entry digest algorithm ${String(algorithm)} cannot be checked`);
  if (!logged.equals(want)) fail('the log entry digest is not the artifact digest');
}

function samePayloadHash(algorithm: unknown, logged: Buffer, payload: Buffer): void {
  if (algorithm !== 'sha256') fail(`the log entry payload hash algorithm ${String(algorithm)} is not supported`);
  if (!logged.equals(hash('sha256', payload))) fail('the log entry payload hash is not the envelope payload');
}

function pemSigner(b64Pem: unknown): LoggedContent['signer'] {
  const pem = b64(b64Pem).toString('utf8');
  const block = pemBlocks(pem)[0];
  if (!block) fail('the log entry signer is not PEM');
  return block.label === 'CERTIFICATE' ? { certificate: block.der } : { spki: block.der };
}

function v2Signer(verifier: Json | undefined): LoggedContent['signer'] {
  if (verifier?.x509Certificate?.rawBytes) return { certificate: b64(verifier.x509Certificate.rawBytes) };
  if (verifier?.publicKey?.rawBytes) return { spki: b64(verifier.publicKey.rawBytes) };
  fail('the log entry has no verifier');
}

function b64(v: unknown): Buffer {
  if (typeof v !== 'string') fail('the log entry body is missing a field');
  return Buffer.from(v, 'base64');
}

function hex(v: unknown): Buffer {
  if (typeof v !== 'string' || !/^[0-9a-f]*$/i.test(v)) fail('the log entry body has a malformed hash');
  return Buffer.from(v, 'hex');
}

const PROTO_HASHES: Record<string, string> = { SHA2_256: 'sha256', SHA2_384: 'sha384', SHA2_512: 'sha512' };
function protoHash(name: unknown): string {
  const h = typeof name === 'string' ? PROTO_HASHES[name] : undefined;
  if (!h) fail(`the log entry hash algorithm ${String(name)} is not supported`);
  return h;
}

const hash = (algorithm: string, data: Buffer) => createHash(algorithm).update(data).digest();
