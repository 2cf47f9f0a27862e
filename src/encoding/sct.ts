/**
 * RFC 6962 SignedCertificateTimestamps on the wire, for the CT log that issues them (src/ct) and the verifier that
 * checks the ones embedded in certificates (src/verify): the SCT and its list in TLS encoding, and the bytes an SCT
 * signature covers.
 */
import { invalidInput } from '../errors.js';
import { TlsReader, TlsWriter } from './tls.js';

/** RFC 5246 §7.4.1.4.1 codes used in DigitallySigned. */
export const HASH_SHA256 = 4;
export const SIG_ECDSA = 3;
export const SIG_RSA = 1;

/** RFC 6962 §3.2 SignedCertificateTimestamp. Only v1 (0) is defined; a verifier skips any other. */
export type Sct = {
  version: number;
  logId: Buffer;
  /** Milliseconds since the epoch. */
  timestamp: number;
  extensions: Buffer;
  signature: { hashAlgorithm: number; signatureAlgorithm: number; signature: Buffer };
};

/** What an SCT or a Merkle leaf commits to: a whole certificate, or a precertificate's TBS and issuer key. */
export type SignedEntry =
  { type: 'x509'; certDer: Buffer } | { type: 'precert'; issuerKeyHash: Buffer; tbsDer: Buffer };

/** LogEntryType's enum values (RFC 6962 §3.1). */
export const ENTRY_TYPE = { x509: 0, precert: 1 } as const;

/** The `signed_entry` select of TimestampedEntry and of the SCT's signed struct. */
export function writeSignedEntry(w: TlsWriter, e: SignedEntry): TlsWriter {
  w.u16(ENTRY_TYPE[e.type]);
  if (e.type === 'x509') return w.vector(e.certDer, 3);
  if (e.issuerKeyHash.length !== 32) throw invalidInput('issuer key hash must be 32 bytes');
  return w.bytes(e.issuerKeyHash).vector(e.tbsDer, 3);
}

/** The bytes an SCT signature covers (RFC 6962 §3.2 digitally-signed struct, signature_type certificate_timestamp). */
export function sctSignedData(entry: SignedEntry, timestamp: number, extensions: Buffer): Buffer {
  const w = new TlsWriter().u8(0).u8(0).u64(timestamp);
  return writeSignedEntry(w, entry).vector(extensions, 2).finish();
}

/** DigitallySigned as TLS encodes it: hash u8, signature u8, opaque signature<0..2^16-1>. */
export function encodeDigitallySigned(s: Sct['signature']): Buffer {
  return new TlsWriter().u8(s.hashAlgorithm).u8(s.signatureAlgorithm).vector(s.signature, 2).finish();
}

export function decodeDigitallySigned(b: Buffer): Sct['signature'] {
  const r = new TlsReader(b);
  const s = {
    hashAlgorithm: r.u8('hash algorithm'),
    signatureAlgorithm: r.u8('signature algorithm'),
    signature: r.vector(2, 'signature'),
  };
  r.end('digitally-signed struct');
  return s;
}

/** RFC 6962 §3.2 SignedCertificateTimestamp in TLS encoding. */
export function serializeSct(sct: Sct): Buffer {
  if (sct.logId.length !== 32) throw invalidInput('log id must be 32 bytes');
  return new TlsWriter()
    .u8(sct.version)
    .bytes(sct.logId)
    .u64(sct.timestamp)
    .vector(sct.extensions, 2)
    .bytes(encodeDigitallySigned(sct.signature))
    .finish();
}

export function parseSct(b: Buffer): Sct {
  const r = new TlsReader(b);
  const version = r.u8('sct version');
  const logId = r.bytes(32, 'log id');
  const timestamp = Number(r.u64('timestamp'));
  const extensions = r.vector(2, 'sct extensions');
  const signature = {
    hashAlgorithm: r.u8('hash algorithm'),
    signatureAlgorithm: r.u8('signature algorithm'),
    signature: r.vector(2, 'signature'),
  };
  r.end('sct');
  return { version, logId, timestamp, extensions, signature };
}

/**
 * RFC 6962 §3.3 SignedCertificateTimestampList: `opaque SerializedSCT<1..2^16-1>; SerializedSCT list<1..2^16-1>`.
 * These bytes go inside the X.509 extension's OCTET STRING (the extension value is itself an OCTET STRING of them).
 */
export function serializeSctList(scts: Sct[]): Buffer {
  if (scts.length === 0) throw invalidInput('an sct list needs at least one sct');
  const inner = new TlsWriter();
  for (const sct of scts) inner.vector(serializeSct(sct), 2);
  return new TlsWriter().vector(inner.finish(), 2).finish();
}

export function parseSctList(b: Buffer): Sct[] {
  const outer = new TlsReader(b);
  const list = new TlsReader(outer.vector(2, 'sct list'));
  outer.end('sct list');
  const out: Sct[] = [];
  while (!list.done) out.push(parseSct(list.vector(2, 'serialized sct')));
  return out;
}

/** The JSON body of add-chain / add-pre-chain (RFC 6962 §4.1): the same fields, base64. */
export function sctToJson(sct: Sct) {
  return {
    sct_version: sct.version,
    id: sct.logId.toString('base64'),
    timestamp: sct.timestamp,
    extensions: sct.extensions.toString('base64'),
    signature: encodeDigitallySigned(sct.signature).toString('base64'),
  };
}
