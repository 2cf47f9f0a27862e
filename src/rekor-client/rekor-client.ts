import { SignetError } from '../errors.js';
import { RekorHttp, parseJson, statusError, type HttpOptions } from './http.js';
import { isObject, parseLogEntries, parseLogEntry, type ParsedLogEntry } from './log-entry.js';
import type { ConsistencyProof, LogInfo, ProposedEntry, SearchIndexQuery, SearchLogQuery } from './types.js';

export interface CreatedEntry extends ParsedLogEntry {
  /** False when the log already held the entry (409) and this is the existing one. */
  created: boolean;
}

/** A Rekor v1 REST client (openapi.yaml paths and shapes). Answers are shape-checked, not verified: see src/verify. */
export class RekorClient {
  readonly #http: RekorHttp;

  constructor(baseUrl: string, options: HttpOptions = {}) {
    this.#http = new RekorHttp(baseUrl, options);
  }

  get baseUrl(): string {
    return this.#http.baseUrl;
  }

  /** POST /api/v1/log/entries. A duplicate (409) fetches the existing entry from the answer's Location. */
  async createEntry(proposedEntry: ProposedEntry): Promise<CreatedEntry> {
    const what = 'rekor rejected the entry';
    const answer = await this.#http.send(what, 'POST', '/api/v1/log/entries', proposedEntry);
    if (answer.status === 201 || answer.status === 200) {
      return { ...parseLogEntry('creating the entry', parseJson(what, answer)), created: true };
    }
    if (answer.status !== 409) throw statusError(what, answer);
    const location = answer.headers.get('location');
    const uuid = location ? /([0-9a-fA-F]{64}|[0-9a-fA-F]{80})\/?$/.exec(location)?.[1] : undefined;
    if (!uuid) throw new SignetError('conflict', `${what}: it already exists, but the log did not say where`);
    return { ...(await this.getEntryByUuid(uuid)), created: false };
  }

  async getEntryByIndex(logIndex: number): Promise<ParsedLogEntry> {
    if (!Number.isSafeInteger(logIndex) || logIndex < 0) {
      throw new SignetError('invalid-input', `log index must be a non-negative integer, got ${logIndex}`);
    }
    const what = `fetching the entry at index ${logIndex}`;
    return parseLogEntry(what, await this.#http.json(what, 'GET', `/api/v1/log/entries?logIndex=${logIndex}`));
  }

  async getEntryByUuid(uuid: string): Promise<ParsedLogEntry> {
    if (!/^([0-9a-fA-F]{64}|[0-9a-fA-F]{80})$/.test(uuid)) {
      throw new SignetError('invalid-input', `an entry uuid is 64 or 80 hex characters, got ${JSON.stringify(uuid)}`);
    }
    const what = `fetching the entry ${uuid}`;
    const found = parseLogEntry(what, await this.#http.json(what, 'GET', `/api/v1/log/entries/${uuid}`));
    // The answer's ID must be the one asked for (the tree ID prefix may be added to a 64-hex UUID).
    if (!found.uuid.endsWith(uuid.toLowerCase().slice(-64))) {
      throw new SignetError('verification-failed', `${what}: the log answered with a different entry ${found.uuid}`);
    }
    return found;
  }

  /** POST /api/v1/index/retrieve: entry UUIDs matching the query. */
  async searchIndex(query: SearchIndexQuery): Promise<string[]> {
    const what = 'searching the index';
    const answer = await this.#http.send(what, 'POST', '/api/v1/index/retrieve', query);
    if (answer.status === 501) throw new SignetError('unsupported', 'the search index is not enabled on this log');
    if (answer.status !== 200) throw statusError(what, answer);
    const uuids = parseJson<unknown>(what, answer);
    if (!Array.isArray(uuids) || !uuids.every((u) => typeof u === 'string')) {
      throw new SignetError('internal', `${what}: malformed answer from the log: expected an array of strings`);
    }
    return uuids;
  }

  /** POST /api/v1/log/entries/retrieve. Missing items are skipped by the server (an empty list is not an error). */
  async retrieveEntries(query: SearchLogQuery): Promise<ParsedLogEntry[]> {
    const what = 'retrieving entries';
    const list = await this.#http.json<unknown>(what, 'POST', '/api/v1/log/entries/retrieve', query);
    if (!Array.isArray(list)) throw new SignetError('internal', `${what}: malformed answer from the log: not an array`);
    return list.flatMap((item) => parseLogEntries(what, item));
  }

  async getLogInfo(): Promise<LogInfo> {
    const what = 'fetching the log info';
    const info = await this.#http.json<unknown>(what, 'GET', '/api/v1/log');
    if (!isObject(info) || typeof info.signedTreeHead !== 'string' || typeof info.treeSize !== 'number') {
      throw new SignetError('internal', `${what}: malformed answer from the log: no signedTreeHead or treeSize`);
    }
    if (typeof info.rootHash !== 'string' || (typeof info.treeID !== 'string' && typeof info.treeID !== 'number')) {
      throw new SignetError('internal', `${what}: malformed answer from the log: no rootHash or treeID`);
    }
    return { ...(info as unknown as LogInfo), treeID: String(info.treeID) };
  }

  async getConsistencyProof(firstSize: number, lastSize: number, treeId?: string): Promise<ConsistencyProof> {
    const what = `fetching a consistency proof from ${firstSize} to ${lastSize}`;
    let path = `/api/v1/log/proof?firstSize=${firstSize}&lastSize=${lastSize}`;
    if (treeId) path += `&treeID=${encodeURIComponent(treeId)}`;
    const proof = await this.#http.json<unknown>(what, 'GET', path);
    if (!isObject(proof) || typeof proof.rootHash !== 'string' || !Array.isArray(proof.hashes)) {
      throw new SignetError('internal', `${what}: malformed answer from the log: no rootHash or hashes`);
    }
    return proof as unknown as ConsistencyProof;
  }

  /** GET /api/v1/log/publicKey: the PEM SPKI of the (active or named) shard's key. */
  async getPublicKey(treeId?: string): Promise<string> {
    const what = "fetching the log's public key";
    const path = '/api/v1/log/publicKey' + (treeId ? `?treeID=${encodeURIComponent(treeId)}` : '');
    const answer = await this.#http.send(what, 'GET', path);
    if (answer.status !== 200) throw statusError(what, answer);
    if (!answer.text.includes('-----BEGIN PUBLIC KEY-----')) {
      throw new SignetError('internal', `${what}: the answer is not a PEM public key`);
    }
    return answer.text;
  }
}
