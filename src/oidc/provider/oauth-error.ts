import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { toWireError } from '../../http/index.js';

/** RFC 6749 §5.2 / RFC 8628 §3.5 error codes the dev provider answers with. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token';

export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = error === 'invalid_client' ? 401 : 400,
  ) {
    super(description);
  }
}

/** Writes every failure as `{error, error_description}` JSON: OAuth's shape, and never internal detail. */
export function oauthErrorHandler(err: unknown, _request: FastifyRequest, reply: FastifyReply) {
  void reply.header('cache-control', 'no-store');
  if (err instanceof OAuthError) {
    return reply.code(err.status).send({ error: err.error, error_description: err.description });
  }
  // A 5xx is logged once by the server's response hook (src/http/observe.ts).
  const wire = toWireError(err as FastifyError);
  const error = wire.status >= 500 ? 'server_error' : 'invalid_request';
  return reply.code(wire.status).headers(wire.headers).send({ error, error_description: wire.message });
}
