import type { FastifyInstance } from 'fastify';
import { toWireError } from '../../http/index.js';
import { parseTilePath } from '../../merkle/index.js';
import type { TransparencyLog } from '../log.js';
import type { LogStore } from '../storage/store.js';
import type { CheckpointPublisher } from '../witness/publisher.js';
import { FullTileCache } from './read.js';

export interface TileApiOptions {
  log: TransparencyLog;
  store: LogStore;
  publisher: CheckpointPublisher;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const SHORT = 'public, max-age=1';

/**
 * The C2SP tlog-tiles read API at the server root: `/checkpoint`, `/tile/<L>/<N>[.p/<W>]`,
 * `/tile/entries/<N>[.p/<W>]`, plus `POST /witness/cosign` for configured witnesses' cosignatures.
 * Errors are `{code, message}` JSON like the rest of the log.
 */
export function tileApi(o: TileApiOptions) {
  const cache = new FullTileCache();
  return async function tileApiPlugin(app: FastifyInstance): Promise<void> {
    app.setErrorHandler((error, _request, reply) => {
      const w = toWireError(error);
      return reply.code(w.status).headers(w.headers).send({ code: w.status, message: w.message });
    });
    app.addContentTypeParser(
      ['text/plain', 'application/octet-stream'],
      { parseAs: 'string', bodyLimit: 65536 },
      (_r, body, done) => done(null, body),
    );

    app.get('/checkpoint', async (_request, reply) => {
      return reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(o.publisher.checkpoint());
    });

    app.get('/tile/*', async (request, reply) => {
      const rest = (request.params as { '*': string })['*'];
      const path = parseTilePath(`tile/${rest}`);
      const found = await cache.read(o.store, path, o.log.info().head.size);
      if (!found) return reply.code(404).send({ code: 404, message: 'tile is beyond the tree' });
      return reply
        .type('application/octet-stream')
        .header('cache-control', found.immutable ? IMMUTABLE : SHORT)
        .send(found.body);
    });

    app.post('/witness/cosign', { bodyLimit: 65536 }, async (request, reply) => {
      if (typeof request.body !== 'string') {
        return reply.code(415).send({ code: 415, message: 'send cosignature lines as text/plain' });
      }
      await o.publisher.addCosignatures(request.body);
      return reply.type('text/plain; charset=utf-8').send(o.publisher.checkpoint());
    });
  };
}
