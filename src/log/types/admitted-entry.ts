import { createHash } from 'node:crypto';
import { canonicalJson } from '../../encoding/index.js';

/** An entry that passed verification, ready for the log. */
export interface AdmittedEntry {
  kind: string;
  apiVersion: string;
  /** The canonicalized entry body (Rekor's bytes); the Merkle leaf is exactly these bytes. */
  body: Buffer;
  /** Search index keys as Rekor's index holds them (lower case, without duplicates). */
  indexKeys: string[];
  /** intoto: the attestation Rekor stores beside the entry, under key `sha256:<payloadHash>`. */
  attestation?: { mediaType: string; data: Buffer };
}

/** Wraps a canonical spec as Rekor's `{apiVersion, kind, spec}` and applies RFC 8785, as `CanonicalizeEntry` does. */
export function canonicalBody(kind: string, apiVersion: string, spec: unknown): Buffer {
  return Buffer.from(canonicalJson({ apiVersion, kind, spec }), 'utf8');
}

export const sha256Hex = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/**
 * Rekor's index stores keys lower-cased (Redis `LPUSH lower(key)`, MySQL's case-insensitive collation); a set is
 * enough since duplicates add nothing to a lookup.
 */
export function indexKeySet(keys: Iterable<string>): string[] {
  return [...new Set([...keys].map((k) => k.toLowerCase()))];
}
