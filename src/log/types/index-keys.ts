import { SignetError, invalidInput } from '../../errors.js';
import { sha256Hex } from './admitted-entry.js';
import { canonicalPgpPublicKeys } from '../../crypto/index.js';
import { PKI_FORMATS, type PkiFormatName, type PkiKey } from './pki-format.js';

/**
 * Search-side index keys, computed as Rekor's `SearchIndexHandler` does so lookups meet the keys entries wrote.
 */

/**
 * The index key for a `publicKey` query: lower-case hex SHA-256 of the key's canonical form in that PKI format.
 * Quirk kept from Rekor: intoto and dsse entries index their keys as `sha256:<hex>`, so a publicKey query does not
 * find them; query `hash: "sha256:<hex>"` for those.
 */
export function indexKeysForPublicKey(format: 'x509' | 'ssh' | 'pgp' | 'minisign' | 'tuf', content: Buffer): string[] {
  if (format === 'tuf') throw new SignetError('unsupported', 'the tuf entry type is not supported by this log');
  if (format === 'pgp') return [sha256Hex(pgpCanonicalKey(content))];
  if (!Object.hasOwn(PKI_FORMATS, format))
    throw invalidInput(`unsupported pki format ${JSON.stringify(String(format))}`);
  const key = PKI_FORMATS[format as Exclude<PkiFormatName, 'pgp'>].parseKey(content, 'publicKey.content') as PkiKey;
  return [sha256Hex(key.canonical)];
}

function pgpCanonicalKey(content: Buffer): string {
  try {
    return canonicalPgpPublicKeys(content).canonical;
  } catch (e) {
    throw invalidInput(`publicKey.content: invalid PGP public key: ${(e as Error).message}`);
  }
}

const HASH_QUERY =
  /^(?:(?:sha512:)?[0-9a-fA-F]{128}|(?:sha384:)?[0-9a-fA-F]{96}|(?:sha256:)?[0-9a-fA-F]{64}|(?:sha1:)?[0-9a-fA-F]{40})$/;

/**
 * `sha256:<hex>` or bare hex (40/64/96/128 digits) to the index form: Rekor's `PrefixSHA` picks the prefix by length,
 * then lower-cases. Throws 'invalid-input' for anything else.
 */
export function normalizeHashQuery(hash: string): string {
  if (typeof hash !== 'string' || !HASH_QUERY.test(hash)) {
    throw invalidInput(
      'hash: must be hex (40, 64, 96 or 128 digits), optionally prefixed sha1:, sha256:, sha384: or sha512:',
    );
  }
  if (hash.includes(':')) return hash.toLowerCase();
  const prefix = { 40: 'sha1', 64: 'sha256', 96: 'sha384', 128: 'sha512' }[hash.length]!;
  return `${prefix}:${hash}`.toLowerCase();
}

/** Email queries are looked up lower-cased (entries index certificate and key e-mails the same way). */
export function emailKey(email: string): string {
  return email.toLowerCase();
}

/** SAN `subject` queries (Rekor v1.5.4+): lower-cased, like every stored index key. */
export function subjectKey(subject: string): string {
  return subject.toLowerCase();
}
