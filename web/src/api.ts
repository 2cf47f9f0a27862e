import type { LogEntryJson } from './lib/verify-entry.js';
import type { V2EntryJson, V2LogJson } from './lib/verify-v2-entry.js';

/** Thin wrappers over the same-origin APIs the explorer reads (Rekor v1, RFC 6962, its timeline). */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function call(path: string, init?: RequestInit): Promise<Response> {
  const r = await fetch(path, { ...init, headers: { accept: 'application/json', ...init?.headers } });
  if (!r.ok) {
    let msg = `${r.status} ${r.statusText}`;
    try {
      const body = (await r.json()) as { message?: unknown };
      if (typeof body.message === 'string') msg = body.message;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(r.status, msg);
  }
  return r;
}

const json = async <T>(path: string, body?: unknown): Promise<T> => {
  const init: RequestInit | undefined =
    body === undefined
      ? undefined
      : { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } };
  return (await call(path, init)).json() as Promise<T>;
};

export type EntryMap = Record<string, LogEntryJson>;

/** A page of search matches, newest first; `next` asks for the following page (`before`). */
export interface SearchPage {
  logIndexes: number[];
  next?: number;
}

export interface LogInfoJson {
  rootHash: string;
  treeSize: number;
  signedTreeHead: string;
  treeID: string;
}

export const api = {
  logInfo: () => json<LogInfoJson>('/api/v1/log'),
  publicKey: async () => (await call('/api/v1/log/publicKey')).text(),
  /** The published checkpoint with witness cosignatures (C2SP tiles API). */
  checkpoint: async () => (await call('/checkpoint')).text(),
  entryById: (id: string) => json<EntryMap>(`/api/v1/log/entries/${encodeURIComponent(id)}`),
  entryByIndex: (index: number) => json<EntryMap>(`/api/v1/log/entries?logIndex=${index}`),
  entriesByIds: (entryUUIDs: string[]) => json<EntryMap[]>('/api/v1/log/entries/retrieve', { entryUUIDs }),
  entriesByIndexes: (logIndexes: number[]) => json<EntryMap[]>('/api/v1/log/entries/retrieve', { logIndexes }),
  /**
   * One page of log indexes matching a Rekor `SearchIndex` query, newest first (`/explorer/api/search`); `next` is
   * the `before` of the following page, absent on the last one. Rekor's `/api/v1/index/retrieve` answers every
   * match at once, which for a busy key is tens of thousands.
   */
  search: (query: Record<string, unknown>, limit: number, before?: number) =>
    json<SearchPage>('/explorer/api/search', { ...query, limit, ...(before === undefined ? {} : { before }) }),
  timeline: () =>
    json<{ treeSize: number; points: Array<{ logIndex: number; integratedTime: number }> }>('/explorer/api/timeline'),
  /** The Rekor v2 log beside the v1 one (`signet up`); undefined where there is none (`signet log serve`). */
  v2Log: () => json<V2LogJson>('/explorer/api/v2/log').then((l) => l, absentAs(undefined)),
  /**
   * Log indexes in the Rekor v2 log for `{leafHash}`, or one page of them for a v1 `SearchIndex` query (with
   * `limit` and `before`), newest first; no matches where the server has no v2 log.
   */
  v2Search: async (query: Record<string, unknown>): Promise<SearchPage> =>
    (await json<SearchPage>('/explorer/api/v2/index/retrieve', query).catch(absentAs(undefined))) ?? {
      logIndexes: [],
    },
  v2Entry: (index: number) => json<V2EntryJson>(`/explorer/api/v2/entries/${index}`),
  ctSth: () => json<{ tree_size: number; timestamp: number; sha256_root_hash: string }>('/ct/v1/get-sth'),
  ctEntries: (start: number, end: number) =>
    json<{ entries: Array<{ leaf_input: string; extra_data: string }> }>(
      `/ct/v1/get-entries?start=${start}&end=${end}`,
    ),
};

/** The single (id, entry) pair of a Rekor `LogEntry` map. */
export function only(map: EntryMap): [string, LogEntryJson] {
  const [pair] = Object.entries(map);
  if (!pair) throw new Error('empty log entry');
  return pair;
}

/** A 404 from a route the server does not have (no Rekor v2 log here) as `value`; other errors stand. */
function absentAs<T>(value: T): (e: unknown) => T {
  return (e) => {
    if (e instanceof ApiError && e.status === 404) return value;
    throw e;
  };
}
