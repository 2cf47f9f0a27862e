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
