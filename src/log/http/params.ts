import { invalidInput } from '../../errors.js';

/**
 * Rejections Rekor's go-openapi layer answers with 422 (schema/format violations). They travel as a fastify-style
 * error with a 4xx statusCode, which the shared error handler writes as `{code, message}`.
 */
export function unprocessable(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 422, code: 'SIGNET_SCHEMA' });
}

const UINT = /^(0|[1-9][0-9]{0,15})$/;

/** A non-negative integer query parameter (decimal, safe integer); `min` is the smallest accepted value. */
export function intParam(raw: unknown, name: string, where: 'query' | 'body', min = 0): number {
  const s = typeof raw === 'number' ? String(raw) : raw;
  if (typeof s !== 'string' || !UINT.test(s) || !Number.isSafeInteger(Number(s))) {
    if (typeof s === 'string' && /^-[0-9]+$/.test(s)) throw unprocessable(`${name} in ${where} should be >= ${min}`);
    throw unprocessable(`${name} in ${where} must be of type int64: ${JSON.stringify(String(raw)).slice(0, 40)}`);
  }
  const n = Number(s);
  if (n < min) throw unprocessable(`${name} in ${where} should be >= ${min}`);
  return n;
}

/** A single query value: repeated parameters (`?a=1&a=2`) arrive as arrays and are refused. */
export function queryValue(query: unknown, name: string): string | undefined {
  const v = (query as Record<string, unknown> | undefined)?.[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw unprocessable(`${name} in query must be given once`);
  return v;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An optional array field of a JSON body with 1..max items. */
export function arrayField(body: Record<string, unknown>, name: string, max: number): unknown[] {
  const v = body[name];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw unprocessable(`${name} in body must be of type array`);
  if (v.length > max) throw unprocessable(`${name} in body should have at most ${max} items`);
  return v;
}

/** Standard base64 (padding optional) decoded strictly: Buffer.from silently skips junk. */
export function base64Field(v: unknown, name: string): Buffer {
  if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length === 0) {
    throw invalidInput(`${name} must be non-empty base64`);
  }
  return Buffer.from(v, 'base64');
}

/** The kinds Rekor's generated `ProposedEntry` knows; any other is refused at binding time. */
const REKOR_KINDS = [
  'alpine',
  'cose',
  'dsse',
  'hashedrekord',
  'helm',
  'intoto',
  'jar',
  'rekord',
  'rfc3161',
  'rpm',
  'tuf',
];

/** openapi's `apiVersion` pattern (semantic version). */
const API_VERSION =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

/**
 * go-openapi's binding of a `ProposedEntry` (422): a known `kind`, an `apiVersion` of the semver pattern and a
 * `spec`. What passes goes on to the type's own validation, which answers 400 as Rekor's handler does.
 */
export function checkProposedEntry(v: unknown): void {
  if (!isObject(v)) return;
  if (v.kind === undefined || v.kind === '') throw unprocessable('kind in body is required');
  if (typeof v.kind !== 'string') return;
  if (!REKOR_KINDS.includes(v.kind)) throw unprocessable(`invalid kind value: ${JSON.stringify(v.kind).slice(0, 80)}`);
  if (v.apiVersion === undefined || v.apiVersion === null) throw unprocessable('apiVersion in body is required');
  if (typeof v.apiVersion === 'string' && !API_VERSION.test(v.apiVersion)) {
    throw unprocessable(`apiVersion in body should match '${API_VERSION.source}'`);
  }
  if (v.spec === undefined || v.spec === null) throw unprocessable('spec in body is required');
}
