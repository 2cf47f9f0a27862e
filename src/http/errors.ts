import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SignetError, type ErrorCode } from '../errors.js';

const STATUS: Record<ErrorCode, number> = {
  'invalid-input': 400,
  'not-found': 404,
  conflict: 409,
  unauthenticated: 401,
  forbidden: 403,
  'too-large': 413,
  unsupported: 400,
  'verification-failed': 400,
  pushback: 503,
  internal: 500,
};

export interface WireError {
  status: number;
  message: string;
  headers: Record<string, string>;
}

/** Maps any thrown value to a status and a one-line message fit for the wire: no internal detail in a 5xx. */
export function toWireError(e: unknown): WireError {
  if (e instanceof SignetError) {
    const headers: Record<string, string> = {};
    if (e.detail.location) headers.location = e.detail.location;
    if (e.code === 'pushback') headers['retry-after'] = e.detail.retryAfter ?? '1';
    const status = STATUS[e.code];
    return { status, message: status >= 500 && e.code !== 'pushback' ? 'internal error' : oneLine(e.message), headers };
  }
  const fe = e as FastifyError;
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    // fastify's own rejections: bad JSON, body too large, unsupported media type, schema validation.
    return { status: fe.statusCode, message: fastifyMessage(fe), headers: {} };
  }
  return { status: 500, message: 'internal error', headers: {} };
}

/** A message may quote input; whatever it quotes, it stays one line on the wire. */
function oneLine(message: string): string {
  return message.replace(/[\r\n\u2028\u2029]+/g, ' ');
}

function fastifyMessage(fe: FastifyError): string {
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return 'request body is larger than the limit';
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return 'unsupported content type: send application/json';
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return 'request body is empty';
  if (fe instanceof SyntaxError || fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY') return 'request body is not valid JSON';
  return fe.message.split('\n')[0]!;
}

/**
 * The error handler for Rekor-shaped APIs: `{code: <status>, message}` as Rekor's openapi.yaml defines `Error`.
 * A 5xx is logged once, by the server's response hook (src/http/observe.ts).
 */
export function rekorErrorHandler(error: unknown, _request: FastifyRequest, reply: FastifyReply) {
  const wire = toWireError(error);
  return reply.code(wire.status).headers(wire.headers).send({ code: wire.status, message: wire.message });
}
