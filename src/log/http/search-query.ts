import { invalidInput } from '../../errors.js';
import { emailKey, indexKeysForPublicKey, normalizeHashQuery, subjectKey } from '../types/index.js';
import { base64Field, isObject, unprocessable } from './params.js';

const PKI_FORMATS = ['pgp', 'x509', 'minisign', 'ssh', 'tuf'] as const;
type PkiFormat = (typeof PKI_FORMATS)[number];

/** A parsed `SearchIndex`: one group of index keys per query field, combined with `operator`. */
export interface IndexQuery {
  groups: string[][];
  operator: 'and' | 'or';
}

/** Parses Rekor's `SearchIndex` body into index-key groups, as `SearchIndexHandler` derives them. */
export function parseSearchIndex(body: unknown): IndexQuery {
  if (!isObject(body)) throw unprocessable('search query must be a JSON object');
  const known = new Set(['email', 'subject', 'publicKey', 'hash', 'operator']);
  for (const k of Object.keys(body)) if (!known.has(k)) throw unprocessable(`unknown field ${JSON.stringify(k)}`);
  const operator = body.operator ?? 'or';
  if (operator !== 'and' && operator !== 'or') throw unprocessable('operator in body should be one of [and or]');
  const groups: string[][] = [];
  if (body.hash !== undefined) groups.push([normalizeHashQuery(hashField(body.hash))]);
  if (body.email !== undefined) groups.push([emailKey(emailField(body.email))]);
  if (body.subject !== undefined) groups.push([subjectKey(stringField(body.subject, 'subject', 512))]);
  if (body.publicKey !== undefined) groups.push(publicKeyKeys(body.publicKey));
  // No criteria: Rekor looks nothing up and answers an empty list.
  return { groups, operator };
}

function publicKeyKeys(pk: unknown): string[] {
  if (!isObject(pk)) throw unprocessable('publicKey in body must be an object');
  const format = pk.format;
  if (typeof format !== 'string' || !(PKI_FORMATS as readonly string[]).includes(format)) {
    throw unprocessable('publicKey.format in body should be one of [pgp x509 minisign ssh tuf]');
  }
  if (pk.url !== undefined) throw invalidInput('publicKey.url is not supported: send publicKey.content');
  if (pk.content === undefined) throw invalidInput('publicKey.content is required');
  return indexKeysForPublicKey(format as PkiFormat, base64Field(pk.content, 'publicKey.content'));
}

function stringField(v: unknown, name: string, max: number): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) {
    throw unprocessable(`${name} in body must be a string of 1 to ${max} characters`);
  }
  return v;
}

/** openapi's `hash` pattern (a schema violation is 422), plus sha384 digests, which hashedrekord also indexes. */
const HASH =
  /^(sha512:)?[0-9a-fA-F]{128}$|^(sha384:)?[0-9a-fA-F]{96}$|^(sha256:)?[0-9a-fA-F]{64}$|^(sha1:)?[0-9a-fA-F]{40}$/;

function hashField(v: unknown): string {
  if (typeof v !== 'string' || !HASH.test(v)) throw unprocessable(`hash in body should match '${HASH.source}'`);
  return v;
}

function emailField(v: unknown): string {
  const s = stringField(v, 'email', 320);
  if (!/^[^@\s]+@[^@\s]+$/.test(s)) throw unprocessable('email in body must be of type email');
  return s;
}
