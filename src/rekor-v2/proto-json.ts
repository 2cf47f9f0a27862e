import { invalidInput } from '../errors.js';

/**
 * Readers for the JSON form of protobuf messages as Go's protojson decodes them (rekor-tiles' gateway, with
 * DiscardUnknown off): a field may be named by its JSON name or its proto name, unknown fields and repeated
 * oneof members are errors, `null` means unset, bytes are standard or URL-safe base64 with or without padding,
 * enums are names or numbers. Every error names the field's path.
 */
export type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `fields` maps each JSON name to its proto name; returns the message's set fields by JSON name. */
export function readMessage(v: unknown, path: string, fields: Record<string, string>): Json {
  if (!isObject(v)) throw invalidInput(`${path}: must be a JSON object`);
  const out: Json = {};
  const byName = new Map<string, string>();
  for (const [json, proto] of Object.entries(fields)) {
    byName.set(json, json);
    byName.set(proto, json);
  }
  for (const [key, value] of Object.entries(v)) {
    const json = byName.get(key);
    if (json === undefined) throw invalidInput(`${path}: unknown field ${JSON.stringify(key.slice(0, 64))}`);
    if (Object.hasOwn(out, json)) throw invalidInput(`${path}.${json}: set twice`);
    if (value !== null) out[json] = value;
  }
  return out;
}

/** The one member of a oneof that is set (error when none or several are). */
export function oneOf(msg: Json, path: string, members: string[]): string {
  const set = members.filter((m) => msg[m] !== undefined);
  if (set.length === 0) throw invalidInput(`${path}: missing one of ${members.join(', ')}`);
  if (set.length > 1) throw invalidInput(`${path}: only one of ${members.join(', ')} may be set`);
  return set[0]!;
}

const STD = /^[A-Za-z0-9+/]*={0,2}$/;
const URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** A bytes field (empty when unset). */
export function readBytes(v: unknown, path: string): Buffer {
  if (v === undefined) return Buffer.alloc(0);
  if (typeof v !== 'string') throw invalidInput(`${path}: must be a base64 string`);
  const unpadded = v.replace(/=+$/, '');
  const padOk = v.length === unpadded.length || v.length % 4 === 0;
  if (!padOk || unpadded.length % 4 === 1 || !(STD.test(v) || URL.test(v))) {
    throw invalidInput(`${path}: not valid base64`);
  }
  return Buffer.from(unpadded, STD.test(v) ? 'base64' : 'base64url');
}

/** An enum field by name or number; `names` maps known names to numbers. Returns the name (undefined when unset). */
export function readEnum(v: unknown, path: string, names: Record<string, number>): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string' && Object.hasOwn(names, v)) return v;
  if (typeof v === 'number' && Number.isInteger(v)) {
    const found = Object.entries(names).find(([, n]) => n === v);
    if (found) return found[0];
  }
  throw invalidInput(`${path}: unknown value ${JSON.stringify(v).slice(0, 64)}`);
}

export function readString(v: unknown, path: string, maxLength: number): string {
  if (v === undefined) return '';
  if (typeof v !== 'string') throw invalidInput(`${path}: must be a string`);
  if (v.length > maxLength) throw invalidInput(`${path}: longer than ${maxLength} characters`);
  if (!(v as string & { isWellFormed(): boolean }).isWellFormed()) throw invalidInput(`${path}: not valid UTF-8`);
  return v;
}

export function readArray(v: unknown, path: string, maxItems: number): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw invalidInput(`${path}: must be an array`);
  if (v.length > maxItems) throw invalidInput(`${path}: more than ${maxItems} items`);
  return v;
}
