import { toBase64, utf8 } from './bytes.js';

/** What a search box input means, decided from its shape alone. */
export type SearchQuery =
  | { type: 'logIndex'; index: number }
  | { type: 'entryId'; id: string }
  /** 64 hex digits are both an entry UUID and a SHA-256 digest: the explorer looks up both. */
  | { type: 'uuidOrHash'; hex: string }
  | { type: 'hash'; hash: string }
  | { type: 'email'; email: string }
  | { type: 'publicKey'; format: 'x509' | 'ssh'; content: string };

const HASH =
  /^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128}|sha1:[0-9a-f]{40}|[0-9a-f]{96}|[0-9a-f]{128})$/;

/** Classifies a search input; throws with a one-line hint when it is none of the supported kinds. */
export function parseSearchQuery(input: string): SearchQuery {
  const q = input.trim();
  if (q === '') throw new Error('type an email, a hash, an entry UUID, a log index or a public key');
  if (/^[0-9]{1,16}$/.test(q)) return { type: 'logIndex', index: Number(q) };
  const lower = q.toLowerCase();
  if (/^[0-9a-f]{80}$/.test(lower)) return { type: 'entryId', id: lower };
  if (/^[0-9a-f]{64}$/.test(lower)) return { type: 'uuidOrHash', hex: lower };
  if (HASH.test(lower)) return { type: 'hash', hash: lower };
  if (q.includes('-----BEGIN ')) return { type: 'publicKey', format: 'x509', content: toBase64(utf8(q + '\n')) };
  if (/^(ssh-|ecdsa-sha2-|sk-)/.test(q)) return { type: 'publicKey', format: 'ssh', content: toBase64(utf8(q)) };
  if (/^[^@\s]+@[^@\s]+$/.test(q)) return { type: 'email', email: q };
  throw new Error('not an email, a sha256/sha384/sha512 hash, an entry UUID, a log index or a PEM/SSH public key');
}

/**
 * The Rekor `SearchIndex` body for a query, searched page by page in both logs (`/explorer/api/search`, and
 * `/explorer/api/v2/index/retrieve` with the same index key forms); undefined for a log index or an 80-hex entry
 * ID, which are looked up directly. 64 hex digits are searched as a SHA-256 digest (and looked up as an ID too).
 */
export function indexQueryFor(q: SearchQuery): Record<string, unknown> | undefined {
  switch (q.type) {
    case 'logIndex':
    case 'entryId':
      return undefined;
    case 'uuidOrHash':
      return { hash: `sha256:${q.hex}` };
    case 'hash':
      return { hash: q.hash };
    case 'email':
      return { email: q.email };
    case 'publicKey':
      return { publicKey: { format: q.format, content: q.content } };
  }
}

/**
 * The leaf hash a Rekor v2 lookup tries for an entry UUID or ID: v2 entries have no UUID of their own, the leaf
 * hash identifies them (a v1 UUID is the leaf hash too).
 */
export function v2LeafHashFor(q: SearchQuery): string | undefined {
  if (q.type === 'entryId') return q.id.slice(-64);
  if (q.type === 'uuidOrHash') return q.hex;
  return undefined;
}
