import { TlsWriter, writeSignedEntry, type SignedEntry } from '../encoding/index.js';

/**
 * RFC 6962 §3.4 MerkleTreeLeaf: version v1, leaf_type timestamped_entry, then TimestampedEntry (timestamp,
 * signed_entry, extensions). Its RFC 6962 leaf hash is what get-proof-by-hash looks up.
 */
export function merkleTreeLeaf(timestamp: number, entry: SignedEntry, extensions: Buffer): Buffer {
  const w = new TlsWriter().u8(0).u8(0).u64(timestamp);
  return writeSignedEntry(w, entry).vector(extensions, 2).finish();
}

/**
 * get-entries' `extra_data` (RFC 6962 §4.6): for an X.509 entry the chain without the leaf,
 * `ASN.1Cert certificate_chain<0..2^24-1>`; for a precert `PrecertChainEntry` (the precert, then that chain).
 */
export function extraData(type: SignedEntry['type'], submitted: Buffer[]): Buffer {
  const chain = new TlsWriter();
  for (const c of submitted.slice(1)) chain.vector(c, 3);
  const w = new TlsWriter();
  if (type === 'precert') w.vector(submitted[0]!, 3);
  return w.vector(chain.finish(), 3).finish();
}
