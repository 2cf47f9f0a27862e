import type { FastifyInstance } from 'fastify';
import { toWireError } from '../http/index.js';
import { invalidInput } from '../errors.js';
import {
  NodeCache,
  intParam,
  isObject,
  parsePagedQuery,
  proveInclusion,
  searchPage,
  type CheckpointPublisher,
  type LogStore,
} from '../log/index.js';
import type { RekorV2Log } from './log.js';

export interface V2ExplorerOptions {
  log: RekorV2Log;
  store: LogStore;
  publisher: CheckpointPublisher;
}

/**
 * What the web explorer needs of the Rekor v2 log, which has no read API beyond tiles: the log's key and published
 * checkpoint, a paged search over the index keys written at append time (`v2IndexKeys`: one backward index range
 * scan per key, bounded by the page size, never a scan of the hits), and an entry by index with its inclusion proof against the current head. Errors are
 * `{code, message}` JSON with a 4xx for bad input, like the explorer's other API.
 */
export function rekorV2ExplorerApi(o: V2ExplorerOptions) {
  const cache = new NodeCache(o.store, 1 << 14);
  return async function rekorV2ExplorerPlugin(app: FastifyInstance): Promise<void> {
    app.setErrorHandler((error, _request, reply) => {
      const w = toWireError(error);
      return reply.code(w.status).headers(w.headers).send({ code: w.status, message: w.message });
    });

    app.get('/explorer/api/v2/log', async (_request, reply) => {
      const head = o.log.head();
      return reply.header('cache-control', 'no-cache').send({
        origin: o.log.identity.origin,
        logId: o.log.identity.logId.toString('base64'),
        publicKey: o.log.identity.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        treeSize: head.size,
        rootHash: head.rootHash.toString('hex'),
        checkpoint: o.publisher.checkpoint(),
      });
    });

    // `{leafHash}`, or a Rekor v1 `SearchIndex` (email, subject, hash, publicKey) with `limit` and `before`: one
    // page of matching log indexes, newest first, as the v1 log's `/explorer/api/search`.
    app.post('/explorer/api/v2/index/retrieve', { bodyLimit: 65536 }, async (request) => {
      const body = request.body;
      if (isObject(body) && Object.keys(body).length === 1 && body.leafHash !== undefined) {
        const hex = body.leafHash;
        if (typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex)) throw invalidInput('leafHash: 64 hex digits');
        const found = await o.store.indexesByLeafHash([Buffer.from(hex, 'hex')]);
        return { logIndexes: [...found.values()] };
      }
      return searchPage(o.store, parsePagedQuery(body), o.log.head().size);
    });

    app.get('/explorer/api/v2/entries/:index', async (request, reply) => {
      const index = intParam((request.params as { index: string }).index, 'index', 'query');
      const head = o.log.head();
      const entry = index < head.size ? (await o.store.entriesByIndex([index])).get(index) : undefined;
      if (!entry) return reply.code(404).send({ code: 404, message: `no entry ${index} in the Rekor v2 log` });
      const proof = await proveInclusion(cache.read, index, head);
      return {
        logIndex: index,
        leafHash: entry.leafHash.toString('hex'),
        body: entry.body.toString('base64'),
        inclusionProof: {
          logIndex: index,
          treeSize: proof.treeSize,
          rootHash: proof.rootHash.toString('hex'),
          hashes: proof.hashes.map((h) => h.toString('hex')),
          checkpoint: proof.checkpoint,
        },
      };
    });
  };
}
