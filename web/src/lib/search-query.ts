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
 * The Rekor v2 explorer searches for a query (`/explorer/api/v2/index/retrieve`): the same index key forms as v1,
 * and for an entry UUID or ID its leaf hash (v2 entries have no UUID of their own; the leaf hash identifies them).
 * A log index needs no search: it is fetched directly.
 */
export function v2SearchesFor(q: SearchQuery): Array<Record<string, unknown>> {
  switch (q.type) {
    case 'logIndex':
      return [];
    case 'entryId':
      return [{ leafHash: q.id.slice(-64) }];
    case 'uuidOrHash':
      return [{ hash: `sha256:${q.hex}` }, { leafHash: q.hex }];
    case 'hash':
      return [{ hash: q.hash }];
    case 'email':
      return [{ email: q.email }];
    case 'publicKey':
      return [{ publicKey: { format: q.format, content: q.content } }];
  }
}
