import { fromBase64, toHex } from './bytes.js';
import { parseCertificate, parseTbs, type CertificateInfo } from './certificate.js';
import { expectTag, parseDer, TAG } from './der.js';

/** One RFC 6962 log entry as the CA page shows it. */
export interface CtEntry {
  /** The SCT timestamp. */
  timestamp: Date;
  type: 'x509' | 'precert';
  /** For precertificates: hex SHA-256 of the issuer's key. */
  issuerKeyHash?: string;
  certificate: CertificateInfo;
}

/** Decodes `leaf_input` (a base64 MerkleTreeLeaf, RFC 6962 section 3.4) from `/ct/v1/get-entries`. */
export function parseCtLeaf(leafInputBase64: string): CtEntry {
  const b = fromBase64(leafInputBase64);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 12) throw new Error('CT leaf is truncated');
  if (b[0] !== 0 || b[1] !== 0) throw new Error('CT leaf is not a v1 timestamped entry');
  const timestamp = new Date(Number(view.getBigUint64(2)));
  const entryType = view.getUint16(10);
  let at = 12;
  const opaque24 = () => {
    if (at + 3 > b.length) throw new Error('CT leaf is truncated');
    const len = (b[at]! << 16) | (b[at + 1]! << 8) | b[at + 2]!;
    at += 3;
    if (at + len > b.length) throw new Error('CT leaf is truncated');
    const out = b.subarray(at, at + len);
    at += len;
    return out;
  };
  if (entryType === 0) return { timestamp, type: 'x509', certificate: parseCertificate(opaque24()) };
  if (entryType === 1) {
    if (at + 32 > b.length) throw new Error('CT leaf is truncated');
    const issuerKeyHash = toHex(b.subarray(at, at + 32));
    at += 32;
    const tbs = expectTag(parseDer(opaque24()), TAG.SEQUENCE, 'TBSCertificate');
    return { timestamp, type: 'precert', issuerKeyHash, certificate: parseTbs(tbs) };
  }
  throw new Error(`unknown CT entry type ${entryType}`);
}
