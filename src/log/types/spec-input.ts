import { invalidInput } from '../../errors.js';
import { isStdBase64 } from '../../encoding/index.js';

/**
 * Strict readers for the JSON shapes of proposed entries. Every message names the field by its JSON path so a
 * client sees exactly what was wrong ("spec.signature.content: not valid base64").
 */
export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function requireObject(v: unknown, path: string): Json {
  if (v === undefined || v === null) throw invalidInput(`${path}: missing`);
  if (!isObject(v)) throw invalidInput(`${path}: must be an object`);
  return v;
}

export function optionalObject(v: unknown, path: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  return requireObject(v, path);
}

/**
 * Rejects fields the type's schema does not define. Rekor's decoders ignore them silently; refusing them instead
 * keeps a client from believing a field (e.g. a URL, or a second key) was honoured when it was not.
 */
export function onlyKnownFields(obj: Json, path: string, known: readonly string[], hints: Json = {}): void {
  for (const key of Object.keys(obj)) {
    if (known.includes(key)) continue;
    const hint = typeof hints[key] === 'string' ? `: ${hints[key] as string}` : '';
    // Quoted and cut: the name is the client's, and may hold a newline or be long.
    throw invalidInput(`${path}: unknown field ${JSON.stringify(key.slice(0, 64))}${hint}`);
  }
}

export function requireString(v: unknown, path: string, maxLength = MAX_STRING): string {
  if (v === undefined || v === null) throw invalidInput(`${path}: missing`);
  if (typeof v !== 'string') throw invalidInput(`${path}: must be a string`);
  if (v.length > maxLength) throw invalidInput(`${path}: longer than ${maxLength} characters`);
  // Go replaces lone UTF-16 surrogates while decoding; keeping them would store bytes Rekor never would.
  if (!(v as string & { isWellFormed(): boolean }).isWellFormed())
    throw invalidInput(`${path}: not well-formed Unicode`);
  return v;
}

export function optionalString(v: unknown, path: string, maxLength = MAX_STRING): string | undefined {
  if (v === undefined || v === null) return undefined;
  return requireString(v, path, maxLength);
}

export function requireArray(v: unknown, path: string, maxItems: number): unknown[] {
  if (v === undefined || v === null) throw invalidInput(`${path}: missing`);
  if (!Array.isArray(v)) throw invalidInput(`${path}: must be an array`);
  if (v.length > maxItems) throw invalidInput(`${path}: more than ${maxItems} items`);
  return v;
}

/** Upper bound for any one string field; the HTTP layer caps the whole body well below this. */
export const MAX_STRING = 64 * 1024 * 1024;

/**
 * Padded standard base64. A linear check (alphabet, at most two trailing '=', length a multiple of 4) rather than a
 * grouped regular expression, whose backtracking overflows V8's stack on multi-megabyte strings.
 */
const isUrlBase64 = (s: string) => s.length % 4 === 0 && /^[A-Za-z0-9_-]*={0,2}$/.test(s);

/**
 * Decodes standard, padded base64 the way Go's `base64.StdEncoding` does (Rekor's `strfmt.Base64` fields): CR and
 * LF are ignored, anything else outside the alphabet, or missing padding, is an error. Node's own decoder would
 * silently accept URL-safe letters and drop junk, which would let two different strings mean the same bytes.
 */
export function decodeStdBase64(v: unknown, path: string): Buffer {
  const s = requireString(v, path);
  const compact = s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s;
  if (!isStdBase64(compact)) throw invalidInput(`${path}: not valid standard base64`);
  return Buffer.from(compact, 'base64');
}

/** Base64 as go-securesystemslib's DSSE code reads it: standard encoding, else URL-safe, both padded. */
export function decodeDsseBase64(s: string, path: string): Buffer {
  if (isStdBase64(s)) return Buffer.from(s, 'base64');
  if (isUrlBase64(s)) return Buffer.from(s, 'base64url');
  throw invalidInput(`${path}: not valid base64`);
}

export const HEX = /^[0-9a-fA-F]*$/;
