import { invalidInput } from '../../errors.js';
import { intParam, isObject, unprocessable } from '../http/params.js';
import { parseSearchIndex } from '../http/search-query.js';
import type { LogStore } from '../storage/store.js';

/** Matches one page answers when the request names no `limit`: what the search page shows at once. */
export const DEFAULT_PAGE = 50;
/** Most matches one page answers. */
export const MAX_PAGE = 1000;

/** One page of matches, newest first; `next` (when more may follow) is the `before` that asks for the next page. */
export interface SearchPage {
  logIndexes: number[];
  next?: number;
}

/** A paged search request: a Rekor `SearchIndex` body plus `limit` and `before` (a log index, exclusive). */
export interface PagedQuery {
  keys: string[];
  limit: number;
  before?: number;
}

/**
 * Parses `{...SearchIndex, limit?, before?}`. The index keys of every field are searched together (`or`, Rekor's
 * default); `operator: "and"` over several fields would need every hit of each field to intersect, which is what
 * paging avoids, so it is refused (Rekor's own `/api/v1/index/retrieve` still answers it).
 */
export function parsePagedQuery(body: unknown): PagedQuery {
  if (!isObject(body)) throw unprocessable('search query must be a JSON object');
  const { limit: rawLimit, before: rawBefore, ...index } = body;
  const query = parseSearchIndex(index);
  if (query.operator === 'and' && query.groups.length > 1) {
    throw invalidInput('the paged search combines fields with "or"; use /api/v1/index/retrieve for "and"');
  }
  const limit = rawLimit === undefined ? DEFAULT_PAGE : intParam(rawLimit, 'limit', 'body', 1);
  if (limit > MAX_PAGE) throw unprocessable(`limit in body should be <= ${MAX_PAGE}`);
  const before = rawBefore === undefined ? undefined : intParam(rawBefore, 'before', 'body');
  return { keys: query.groups.flat(), limit, before };
}

/**
 * The newest `limit` entries below `before` whose index keys match, among the first `treeSize` (entries a
 * concurrent writer committed past this process's head are left for the next page load). Costs one backward index
 * range scan per key, bounded by `limit`, however many entries the key names.
 */
export async function searchPage(store: LogStore, q: PagedQuery, treeSize: number): Promise<SearchPage> {
  const before = Math.min(q.before ?? treeSize, treeSize);
  if (q.keys.length === 0 || before <= 0) return { logIndexes: [] };
  const found = await store.searchIndexPage(q.keys, q.limit + 1, before);
  const logIndexes = found.slice(0, q.limit);
  return found.length > q.limit ? { logIndexes, next: logIndexes[logIndexes.length - 1]! } : { logIndexes };
}
