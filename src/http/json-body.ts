import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
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
 * fastify's own JSON parsing (secure-json-parse) with the same outcomes (a leading BOM dropped; an empty body,
 * malformed JSON or an object with a `__proto__` key or a `constructor.prototype` answered 400 with fastify's
 * messages, as src/http/errors.ts words them). For routes that parse off the event loop (the log's entry uploads).
 */
export function parseJsonRequestBody(body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.length === 0) throw invalidInput('request body is empty');
  // A BOM is no bracket: the depth cap sees the same with or without it.
  if (jsonDepthExceeds(text)) throw invalidInput(`request body nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return secureJson.parse(text, { protoAction: 'error', constructorAction: 'error' });
  } catch {
    throw invalidInput('request body is not valid JSON');
  }
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
