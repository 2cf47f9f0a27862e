import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toWireError } from '../http/index.js';
import { invalidInput } from '../errors.js';
import { parseTilePath } from '../merkle/index.js';
import { readTile, type CheckpointPublisher, type LogStore } from '../log/index.js';
import type { RekorV2Log } from './log.js';

export interface V2ApiOptions {
  log: RekorV2Log;
  store: LogStore;
  publisher: CheckpointPublisher;
  /** Largest request body (rekor-tiles' `--max-request-body-size` default, 4 MiB). */
  maxBodyBytes?: number;
}

export const V2_PREFIX = '/api/v2';
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** gRPC status codes in the error body, as grpc-gateway writes `{code, message, details}`. */
const GRPC_CODE: Record<number, number> = { 400: 3, 404: 5, 405: 12, 409: 6, 413: 3, 415: 3, 503: 14 };

/**
 * The rekor-tiles HTTP API: `POST /api/v2/log/entries` (201 + TransparencyLogEntry; 409 with `x-log-index` for a
 * duplicate; 503 + Retry-After on pushback), and the C2SP tlog-tiles read API under the same prefix:
 * `/api/v2/checkpoint`, `/api/v2/tile/<L>/<N>[.p/<W>]`, `/api/v2/tile/entries/<N>[.p/<W>]`; plus
 * `POST /api/v2/witness/cosign` for configured witnesses. Errors are grpc-gateway's `{code, message, details}`
 * with the gRPC code, and never a 5xx for bad input.
 */
export function rekorV2Api(o: V2ApiOptions) {
  return async function rekorV2Plugin(app: FastifyInstance): Promise<void> {
    app.setErrorHandler(errorHandler);
    app.removeContentTypeParser('text/plain');
    app.addContentTypeParser(['text/plain'], { parseAs: 'string', bodyLimit: 65536 }, (_r, body, done) =>
      done(null, body),
    );
    const bodyLimit = o.maxBodyBytes ?? 4 * 1024 * 1024;

    app.post(`${V2_PREFIX}/log/entries`, { bodyLimit }, async (request, reply) => {
      if (request.body === undefined || typeof request.body === 'string') {
        throw invalidInput('send the CreateEntryRequest as application/json');
      }
      return reply.code(201).send(await o.log.add(request.body));
    });

    app.get(`${V2_PREFIX}/checkpoint`, async (_request, reply) =>
      reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(o.publisher.checkpoint()),
    );

    app.get(`${V2_PREFIX}/tile/*`, async (request, reply) => {
      const rest = (request.params as { '*': string })['*'];
      const found = await readTile(o.store, parseTilePath(`tile/${rest}`), o.log.head().size);
      if (!found) return reply.code(404).send({ code: 5, message: 'tile is beyond the tree', details: [] });
      return reply
        .type('application/octet-stream')
        .header('cache-control', found.immutable ? IMMUTABLE : 'public, max-age=1')
        .send(found.body);
    });

    app.post(`${V2_PREFIX}/witness/cosign`, async (request, reply) => {
      if (typeof request.body !== 'string') throw invalidInput('send cosignature lines as text/plain');
      await o.publisher.addCosignatures(request.body);
      return reply.type('text/plain; charset=utf-8').send(o.publisher.checkpoint());
    });
  };
}

/** Maps errors to grpc-gateway bodies; the server's hook already logs each 5xx once with its route. */
function errorHandler(error: unknown, _request: FastifyRequest, reply: FastifyReply) {
  const w = toWireError(error);
  const headers: Record<string, string> = { ...w.headers };
  const logIndex = (error as { detail?: Record<string, string> })?.detail?.logIndex;
  if (w.status === 409 && logIndex !== undefined) headers['x-log-index'] = logIndex;
  const code = GRPC_CODE[w.status] ?? (w.status >= 500 ? 13 : 3);
  return reply.code(w.status).headers(headers).send({ code, message: w.message, details: [] });
}
