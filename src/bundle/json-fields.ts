import { invalidInput } from '../errors.js';

/**
 * Field readers for protobuf-specs JSON: each names the path of what was wrong, so a bad bundle or trusted
 * root gets one clear line ("bundle: verificationMaterial.tlogEntries[0].logIndex is not an integer").
 */
export type Obj = Record<string, unknown>;

const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

export class FieldReader {
  constructor(readonly what: string) {}

  fail(path: string, problem: string): never {
    throw invalidInput(`${this.what}: ${path} ${problem}`);
  }

  object(v: unknown, path: string): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'is not an object');
    return v as Obj;
  }

  optionalObject(v: unknown, path: string): Obj | undefined {
    return v === undefined || v === null ? undefined : this.object(v, path);
  }

  array(v: unknown, path: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) this.fail(path, 'is not an array');
    return v;
  }

  string(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, v === undefined ? 'is missing' : 'is not a string');
    return v;
  }

  optionalString(v: unknown, path: string): string | undefined {
    return v === undefined || v === null ? undefined : this.string(v, path);
  }

  /** Proto3 bytes: standard base64 (padding optional) or URL-safe base64; returned in standard form. */
  bytes(v: unknown, path: string, { allowEmpty = false } = {}): string {
    // Line breaks are skipped, as Go's decoder (protojson) does: some tools wrap base64 at 76 columns.
    const raw = this.string(v, path);
    // Most fields have no line break: looking costs less than a replace over a body-sized string.
    const s = raw.includes('\n') || raw.includes('\r') ? raw.replace(/[\r\n]/g, '') : raw;
    if (!allowEmpty && s.length === 0) this.fail(path, 'is empty');
    if (isBase64(s)) return s;
    if (BASE64URL.test(s) && s.length % 4 !== 1) return Buffer.from(s, 'base64url').toString('base64');
    this.fail(path, 'is not valid base64');
  }

  /** Proto3 int64: a decimal string (or a JSON number); returned as a canonical decimal string. */
  int64(v: unknown, path: string, { unsigned = true } = {}): string {
    const s = typeof v === 'number' && Number.isInteger(v) ? String(v) : this.string(v, path);
    if (!/^-?\d+$/.test(s)) this.fail(path, 'is not an integer');
    if (unsigned && s.startsWith('-')) this.fail(path, 'is negative');
    return BigInt(s).toString();
  }

  timestamp(v: unknown, path: string): string {
    const s = this.string(v, path);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) || Number.isNaN(Date.parse(s))) {
      this.fail(path, 'is not an RFC 3339 timestamp');
    }
    return s;
  }

  /** Exactly one of `keys` present (a protobuf oneof); returns its name. */
  oneOf<K extends string>(o: Obj, keys: readonly K[], path: string): K {
    const present = keys.filter((k) => o[k] !== undefined && o[k] !== null);
    if (present.length !== 1) this.fail(path, `must have exactly one of ${keys.join(', ')}`);
    return present[0]!;
  }
}

/** 1 for each character code of the standard base64 alphabet. */
const BASE64_ALPHABET = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')
  BASE64_ALPHABET[c.charCodeAt(0)] = 1;

/**
 * Standard base64, padding optional: groups of four, then a last group of two or three characters padded to four
 * or not at all. The characters are checked by a loop over a lookup table: V8's regex engine took ~5.5 ns a
 * character for one character class over the string, the loop ~1.8 ns, and certificate- and body-sized fields
 * showed in the verification profile.
 */
function isBase64(s: string): boolean {
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const end = s.length - pad;
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c > 127 || BASE64_ALPHABET[c] === 0) return false;
  }
  const rest = end % 4;
  return pad === 0 ? rest !== 1 : rest === 4 - pad;
}
