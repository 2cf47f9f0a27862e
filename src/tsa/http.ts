import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { rekorErrorHandler } from '../http/index.js';
import { parseDerRequest, parseJsonRequest, type TimestampRequest } from './request.js';

/** timestamp-authority's `--max-request-body-size` default. */
export const MAX_REQUEST_BYTES = 1024 * 1024;

export interface TsaRoutes {
  issue(req: TimestampRequest): Promise<Buffer>;
  chainPem(): string;
}

/**
 * timestamp-authority's HTTP API: `POST /api/v1/timestamp` (DER `application/timestamp-query` or its JSON form,
 * answered with a DER `application/timestamp-reply`) and `GET /api/v1/timestamp/certchain` (PEM, leaf first).
 * Errors are `{code, message}` JSON; nothing a client sends gets a 5xx.
 */
export async function registerTsaRoutes(scope: FastifyInstance, tsa: TsaRoutes): Promise<void> {
  scope.setErrorHandler(rekorErrorHandler);
  // The handler dispatches on the media type itself (timestamp-authority's rules), so every body is taken raw.
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_REQUEST_BYTES }, (_req, body, done) =>
    done(null, body),
  );
  scope.post('/api/v1/timestamp', async (request: FastifyRequest, reply: FastifyReply) => {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const form = requestForm(request.headers['content-type']);
    const der = await tsa.issue(form === 'json' ? parseJsonRequest(body) : parseDerRequest(body));
    return reply
      .code(200)
      .type('application/timestamp-reply')
      .header('cache-control', 'no-cache, no-store, must-revalidate')
      .send(der);
  });
  scope.get('/api/v1/timestamp/certchain', async (_request, reply) =>
    reply
      .type('application/pem-certificate-chain')
      .header('cache-control', 'max-age=86400, immutable')
      .send(tsa.chainPem()),
  );
}

/** `application/json` or `application/timestamp-query` (parameters allowed); other `application/*` is a 400. */
function requestForm(header: string | undefined): 'json' | 'der' {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  if (!type.startsWith('application/')) {
    throw httpError(415, 'send application/timestamp-query or application/json');
  }
  if (type === 'application/json') return 'json';
  if (type === 'application/timestamp-query') return 'der';
  throw httpError(400, `unsupported content type ${type}: send application/timestamp-query or application/json`);
}

function httpError(statusCode: number, message: string): Error {
  return Object.assign(new Error(message), { statusCode });
}
