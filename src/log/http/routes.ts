import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { rekorErrorHandler } from '../../http/index.js';
import { invalidInput, isSignetError } from '../../errors.js';
import { parseEntryId } from '../entry-id.js';
import type { EntryWithProof, TransparencyLog } from '../log.js';
import { arrayField, checkProposedEntry, intParam, isObject, queryValue, unprocessable } from './params.js';
import { parseSearchIndex } from './search-query.js';
import { logEntryJsonText, logInfoJson } from './wire.js';

export interface RekorApiOptions {
  /** Largest accepted request body in bytes (413 above it). */
  maxBodyBytes: number;
}

const ENTRIES = '/api/v1/log/entries';
const MAX_SEARCH = 10;
/** What fastify sends with an object; entries are sent as text already serialized (wire.ts). */
const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Rekor v1's REST API (openapi.yaml) as a fastify plugin. Register it with `app.register(rekorApi(log, opts))`
 * so its error handler and body limit stay in its own encapsulated context.
 */
export function rekorApi(log: TransparencyLog, options: RekorApiOptions) {
  return async function rekorApiPlugin(app: FastifyInstance): Promise<void> {
    app.setErrorHandler(rekorErrorHandler);
    // Rekor consumes application/json only: go-openapi answers any other body type 415.
    app.removeContentTypeParser('text/plain');
    app.addHook('onRequest', (request, reply, done) => {
      if (request.method === 'GET') reply.header('cache-control', 'no-cache, no-store, must-revalidate, max-age=0');
      done();
    });
    const bodyLimit = options.maxBodyBytes;
    const entryJson = (e: EntryWithProof, attestation = true) => logEntryJsonText(e, log.identity.logId, attestation);

    // Uploads keep their body as bytes: the admission threads parse it with the checks the JSON parser above
    // makes (src/log/admit-json.ts), so the event loop neither parses it nor clones a parsed object to a thread.
    await app.register(async function entryUploads(uploads: FastifyInstance) {
      uploads.removeContentTypeParser('application/json');
      uploads.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => {
        done(null, body);
      });
      uploads.post(ENTRIES, { bodyLimit }, async (request, reply) => {
        const body = request.body;
        let adding: Promise<EntryWithProof>;
        if (Buffer.isBuffer(body)) adding = log.addJson(body);
        else {
          // No body at all: the same refusals as an empty object would get.
          checkProposedEntry(body);
          adding = log.add(body);
        }
        const created = await adding.catch((e: unknown) => {
          // A duplicate answers 409 with the existing entry's address, as Rekor does.
          if (isSignetError(e, 'conflict') && e.detail.entryId) e.detail.location = `${ENTRIES}/${e.detail.entryId}`;
          throw e;
        });
        return reply
          .code(201)
          .header('etag', created.entryId)
          .header('location', `${ENTRIES}/${created.entryId}`)
          .type(JSON_TYPE)
          .send(entryJson(created, false));
      });
    });

    app.get(ENTRIES, async (request, reply) => {
      const raw = queryValue(request.query, 'logIndex');
      if (raw === undefined) throw unprocessable('logIndex in query is required');
      const found = await log.entryByIndex(intParam(raw, 'logIndex', 'query'));
      if (!found) return notFound(reply, 'no entry at that log index');
      return reply.type(JSON_TYPE).send(entryJson(found));
    });

    app.get(`${ENTRIES}/:entryUUID`, async (request, reply) => {
      const uuid = (request.params as { entryUUID: string }).entryUUID;
      if (!/^([0-9a-fA-F]{64}|[0-9a-fA-F]{80})$/.test(uuid)) {
        throw unprocessable('entryUUID in path should match ^([0-9a-fA-F]{64}|[0-9a-fA-F]{80})$');
      }
      const found = await log.entryByUuid(uuid);
      if (!found) return notFound(reply, 'no entry with that UUID');
      return reply.type(JSON_TYPE).send(entryJson(found));
    });

    app.post(`${ENTRIES}/retrieve`, { bodyLimit }, async (request, reply) => {
      const hits = await searchLog(log, request.body);
      return reply.type(JSON_TYPE).send(`[${hits.map((e) => entryJson(e)).join(',')}]`);
    });

    app.get('/api/v1/log', async () => logInfoJson(log.info()));

    app.get('/api/v1/log/publicKey', async (request, reply) => {
      checkTreeId(log, queryValue(request.query, 'treeID'));
      return reply.type('application/x-pem-file').send(log.identity.publicKeyPem);
    });

    app.get('/api/v1/log/proof', async (request) => {
      checkTreeId(log, queryValue(request.query, 'treeID'));
      const first = intParam(queryValue(request.query, 'firstSize') ?? '1', 'firstSize', 'query', 1);
      const lastRaw = queryValue(request.query, 'lastSize');
      if (lastRaw === undefined) throw unprocessable('lastSize in query is required');
      const proof = await log.consistency(first, intParam(lastRaw, 'lastSize', 'query', 1));
      return { rootHash: proof.rootHash.toString('hex'), hashes: proof.hashes.map((h) => h.toString('hex')) };
    });

    app.post('/api/v1/index/retrieve', { bodyLimit }, async (request: FastifyRequest) => {
      const query = parseSearchIndex(request.body);
      return log.search(query.groups, query.operator);
    });
  };
}

/** Rekor answers 404 for missing entries; a JSON message says why. */
function notFound(reply: FastifyReply, message: string) {
  return reply.code(404).send({ code: 404, message });
}

/** `?treeID=` must be this log's decimal tree ID (Rekor: 400 for an unknown or invalid tree). */
function checkTreeId(log: TransparencyLog, raw: string | undefined): void {
  if (raw === undefined) return;
  if (!/^[0-9]{1,19}$/.test(raw) || BigInt(raw) !== BigInt(log.treeId)) throw invalidInput('Bad Request');
}

/** `SearchLogQuery`: at most 10 UUIDs, proposed entries and indexes in all. */
async function searchLog(log: TransparencyLog, body: unknown): Promise<EntryWithProof[]> {
  if (!isObject(body)) throw unprocessable('search query must be a JSON object');
  for (const k of Object.keys(body)) {
    if (!['entryUUIDs', 'logIndexes', 'entries'].includes(k)) throw unprocessable(`unknown field ${JSON.stringify(k)}`);
  }
  const uuids = arrayField(body, 'entryUUIDs', MAX_SEARCH);
  const indexes = arrayField(body, 'logIndexes', MAX_SEARCH);
  const entries = arrayField(body, 'entries', MAX_SEARCH);
  if (uuids.length + indexes.length + entries.length > MAX_SEARCH) {
    throw unprocessable(`more than max allowed ${MAX_SEARCH} entries in request`);
  }
  entries.forEach(checkProposedEntry);
  const ids = uuids.map((u, i) => {
    if (typeof u !== 'string') throw unprocessable('entryUUIDs in body must be strings');
    // openapi's item pattern (422); parseEntryId then refuses a zero tree ID with 400, as Rekor's handler does.
    if (!/^([0-9a-fA-F]{64}|[0-9a-fA-F]{80})$/.test(u)) {
      throw unprocessable(`entryUUIDs.${i} in body should match '^([0-9a-fA-F]{64}|[0-9a-fA-F]{80})$'`);
    }
    return parseEntryId(u);
  });
  const idx = indexes.map((i) => {
    if (typeof i !== 'number') throw unprocessable('logIndexes in body must be integers');
    return intParam(i, 'logIndexes', 'body');
  });
  // Rekor answers 80-hex entry IDs first, then 64-hex UUIDs and proposed entries (looked up by leaf hash), then indexes.
  const mine = ids.filter((id) => id.treeIdHex === log.treeIdHex);
  const out: EntryWithProof[] = await log.entriesByLeafHash(mine.map((id) => id.leafHash));
  const plain = ids.filter((id) => id.treeIdHex === undefined);
  out.push(...(await log.entriesByLeafHash(plain.map((id) => id.leafHash))));
  for (const proposed of entries) {
    const hit = await log.entryByProposed(proposed);
    if (hit) out.push(hit);
  }
  out.push(...(await log.entriesByIndex(idx)));
  return out;
}
