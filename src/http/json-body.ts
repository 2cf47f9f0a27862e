import type { FastifyInstance } from 'fastify';
import { invalidInput } from '../errors.js';

/**
 * Deepest array/object nesting a JSON request body may have. Sigstore's request shapes nest fewer than 10 levels;
 * a cap far below V8's recursion limit keeps deep bodies from reaching code that recurses (structured clone to the
 * admission threads, canonical JSON), where they would surface as a 500.
 */
export const MAX_JSON_DEPTH = 64;

/** Whether JSON `text` nests arrays/objects deeper than `limit` (brackets inside strings do not count). */
export function jsonDepthExceeds(text: string, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** `JSON.parse` for request bodies: a one-line invalid-input error for bad or too deeply nested JSON. */
export function parseJsonBody(text: string): unknown {
  if (jsonDepthExceeds(text)) throw invalidInput(`request body nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return JSON.parse(text);
  } catch {
    throw invalidInput('request body is not valid JSON');
  }
}

/**
 * What the root `application/json` parser (below) does to a request body, on any thread: the depth cap, then
 * fastify's default JSON parsing with the same outcomes (a leading BOM dropped; an empty body, malformed JSON or an
 * object with a `__proto__` key or a `constructor.prototype` answered 400 with fastify's messages, as
 * src/http/errors.ts words them). For routes that parse off the event loop (the log's entry uploads).
 */
export function parseJsonRequestBody(body: Buffer): unknown {
  let text = body.toString('utf8');
  if (text.length === 0) throw invalidInput('request body is empty');
  // A BOM is no bracket: dropping it before the depth cap changes nothing the cap sees.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const value = parseJsonBody(text);
  if ((SUSPECT_PROTO.test(text) || SUSPECT_CONSTRUCTOR.test(text)) && hasPrototypeKey(value)) {
    throw invalidInput('request body is not valid JSON');
  }
  return value;
}

// secure-json-parse's (fastify's) pre-checks: a key that may spell `__proto__` or `constructor`, escapes included.
const SUSPECT_PROTO =
  /"(?:_|\\u005[Ff])(?:_|\\u005[Ff])(?:p|\\u0070)(?:r|\\u0072)(?:o|\\u006[Ff])(?:t|\\u0074)(?:o|\\u006[Ff])(?:_|\\u005[Ff])(?:_|\\u005[Ff])"\s*:/;
const SUSPECT_CONSTRUCTOR =
  /"(?:c|\\u0063)(?:o|\\u006[Ff])(?:n|\\u006[Ee])(?:s|\\u0073)(?:t|\\u0074)(?:r|\\u0072)(?:u|\\u0075)(?:c|\\u0063)(?:t|\\u0074)(?:o|\\u006[Ff])(?:r|\\u0072)"\s*:/;

/** secure-json-parse's scan: an own `__proto__` key, or an own `constructor` object with an own `prototype`. */
function hasPrototypeKey(root: unknown): boolean {
  let next: unknown[] = [root];
  while (next.length > 0) {
    const nodes = next;
    next = [];
    for (const node of nodes) {
      if (node === null || typeof node !== 'object') continue;
      if (Object.hasOwn(node, '__proto__')) return true;
      const ctor = (node as { constructor?: unknown }).constructor;
      if (Object.hasOwn(node, 'constructor') && ctor !== null && typeof ctor === 'object') {
        if (Object.hasOwn(ctor, 'prototype')) return true;
      }
      for (const v of Object.values(node)) if (v !== null && typeof v === 'object') next.push(v);
    }
  }
  return false;
}

/**
 * Replaces the root `application/json` parser so every service inherits the depth cap; parsing itself stays
 * fastify's (with its `__proto__`/`constructor` poisoning checks).
 */
export function addJsonBodyParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonDepthExceeds(body as string)) {
      done(invalidInput(`request body nests JSON deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    parse(request, body as string, done);
  });
}
