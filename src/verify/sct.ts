import { createHash, verify } from 'node:crypto';
import { verificationFailed } from '../errors.js';
import { extension, OID, type Certificate } from './certificate.js';
import { OID_CT_SCT_LIST, parseDer, TAG, tbsWithoutExtension } from '../encoding/index.js';
import { windowContains } from './trust-material.js';
import type { TlogAuthority } from './tlog-authority.js';

/** One SignedCertificateTimestamp (RFC 6962 §3.2) as embedded in a certificate. */
export interface Sct {
  version: number;
  logId: Buffer;
  timestamp: bigint;
  extensions: Buffer;
  hashAlgorithm: number;
  signatureAlgorithm: number;
  signature: Buffer;
}

/** The SCTs of the certificate's SignedCertificateTimestampList extension (empty when absent). */
export function embeddedScts(cert: Certificate): Sct[] {
  const ext = extension(cert, OID.sctList);
  if (!ext) return [];
  const list = parseDer(ext.value, 'SCT list');
  if (list.tag !== TAG.octetString) throw verificationFailed('the SCT list extension is malformed');
  const tls = list.buf.subarray(list.valueStart, list.end);
  const reader = new TlsReader(tls);
  const scts: Sct[] = [];
  const body = new TlsReader(reader.vector(2));
  while (!body.done()) scts.push(readSct(new TlsReader(body.vector(2))));
  if (!reader.done()) throw verificationFailed('the SCT list has trailing data');
  return scts;
}

function readSct(r: TlsReader): Sct {
  const sct: Sct = {
    version: r.uint(1),
    logId: r.bytes(32),
    timestamp: r.uint64(),
    extensions: r.vector(2),
    hashAlgorithm: r.uint(1),
    signatureAlgorithm: r.uint(1),
    signature: r.vector(2),
  };
  if (!r.done()) throw verificationFailed('an SCT has trailing data');
  return sct;
}

/**
 * Verifies the certificate's embedded SCTs against the trusted CT logs and returns how many verified. An SCT
 * signs the precertificate entry: SHA-256 of the issuer's SPKI and the TBS without the SCT list extension.
 */
export function verifyEmbeddedScts(leaf: Certificate, issuer: Certificate, ctlogs: TlogAuthority[]): number {
  const scts = embeddedScts(leaf);
  if (scts.length === 0) return 0;
  const tbs = tbsWithoutSctList(leaf);
  const issuerKeyHash = createHash('sha256').update(issuer.spki).digest();
  let verified = 0;
  for (const sct of scts) {
    const log = ctlogs.find((l) => l.logId.equals(sct.logId));
    if (!log || sct.version !== 0) continue;
    if (!windowContains(log.validFor, new Date(Number(sct.timestamp)))) continue;
    const signed = Buffer.concat([
      Buffer.from([0, 0]), // v1, certificate_timestamp
      uint64(sct.timestamp),
      Buffer.from([0, 1]), // precert_entry
      issuerKeyHash,
      uint24(tbs.length),
      tbs,
      uint16(sct.extensions.length),
      sct.extensions,
    ]);
    const hash = log.publicKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
    try {
      if (verify(hash, signed, log.publicKey, sct.signature)) verified++;
    } catch {
      // a malformed signature is simply not a valid SCT
    }
  }
  return verified;
}

/** The TBSCertificate re-encoded without the SCT list extension (what the CT log saw in the precertificate). */
export function tbsWithoutSctList(cert: Certificate): Buffer {
  return tbsWithoutExtension(cert.der, OID_CT_SCT_LIST);
}

const uint16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const uint24 = (n: number) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
function uint64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
}

/** TLS presentation-language reads (RFC 8446 §3) with bounds checks. */
class TlsReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  done = () => this.pos === this.buf.length;
  bytes(n: number): Buffer {
    if (this.pos + n > this.buf.length) throw verificationFailed('an SCT is truncated');
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  uint(n: number): number {
    return this.bytes(n).readUIntBE(0, n);
  }
  uint64(): bigint {
    return this.bytes(8).readBigUInt64BE();
  }
  vector(lengthBytes: number): Buffer {
    return this.bytes(this.uint(lengthBytes));
  }
}
