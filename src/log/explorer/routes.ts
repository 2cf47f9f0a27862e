import type { FastifyInstance, FastifyReply } from 'fastify';
import { toWireError } from '../../http/index.js';
import type { LogStore } from '../storage/store.js';
import { parsePagedQuery, searchPage } from './search.js';
import type { StaticFile } from './static-files.js';
import type { TimelineSampler } from './timeline.js';

export interface ExplorerOptions {
  files: Map<string, StaticFile>;
  timeline: TimelineSampler;
  /** The log's store, for the paged search. */
  store: LogStore;
  /** The log's current tree size: a search answers only entries within it. */
  treeSize: () => number;
}

/**
 * Same-origin only: scripts, styles and images from this server, fetches to this server's APIs, no inline code,
 * no framing. The explorer needs nothing else, so a page that tried anything else would be blocked.
 */
export const EXPLORER_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The web explorer at `/` (its assets under `/explorer/`) and its two APIs of its own: `GET /explorer/api/timeline`
 * (sampled entries over time) and `POST /explorer/api/search` (a Rekor `SearchIndex` answered one page at a time,
 * newest first: `{...SearchIndex, limit?, before?}` to `{logIndexes, next?}`). Everything else it shows comes from
 * the Rekor v1 and RFC 6962 APIs.
 */
export function explorerApi(o: ExplorerOptions) {
  return async function explorerPlugin(app: FastifyInstance): Promise<void> {
    app.setErrorHandler((error, _request, reply) => {
      const w = toWireError(error);
      return reply.code(w.status).headers(w.headers).send({ code: w.status, message: w.message });
    });

    app.get('/', async (request, reply) =>
      sendFile(reply, o.files.get('index.html'), request.headers['if-none-match']),
    );

    app.get('/explorer/:name', async (request, reply) => {
      const name = (request.params as { name: string }).name;
      const file = name === 'index.html' ? undefined : o.files.get(name);
      if (!file) return reply.code(404).send({ code: 404, message: 'no such explorer file' });
      return sendFile(reply, file, request.headers['if-none-match']);
    });

    app.get('/explorer/api/timeline', async (_request, reply) => {
      return reply.header('cache-control', 'no-cache').send(await o.timeline.timeline());
    });

    app.post('/explorer/api/search', { bodyLimit: 65536 }, async (request, reply) => {
      const page = await searchPage(o.store, parsePagedQuery(request.body), o.treeSize());
      return reply.header('cache-control', 'no-cache').send(page);
    });
  };
}

function sendFile(reply: FastifyReply, file: StaticFile | undefined, ifNoneMatch: string | undefined) {
  if (!file) {
    return reply
      .code(503)
      .type('text/plain; charset=utf-8')
      .send('the web explorer is not built: run `npm run build` (it writes dist/explorer/)\n');
  }
  reply
    .header('content-security-policy', EXPLORER_CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', 'no-cache')
    .header('etag', file.etag);
  if (ifNoneMatch === file.etag) return reply.code(304).send();
  return reply.type(file.type).send(file.body);
}
