import { api, ApiError, only, type EntryMap } from '../api.js';
import { entryTable } from '../entry-list.js';
import { h, message, section } from '../dom.js';
import { parseSearchQuery, v2SearchesFor, type SearchQuery } from '../lib/search-query.js';
import { v2EntryTable } from '../entry-list.js';
import type { V2EntryJson } from '../lib/verify-v2-entry.js';
import type { LogEntryJson } from '../lib/verify-entry.js';

/** Results shown per search; the index can hold many more for a busy identity. */
const MAX_SHOWN = 50;
/** The v2 log answers one entry per call (with its proof), so fewer are fetched. */
const MAX_SHOWN_V2 = 20;
/** Rekor's limit per `entries/retrieve` call. */
const PER_CALL = 10;

/** The search page: one box that takes an email, hash, entry UUID, log index or public key. */
export function searchPage(root: HTMLElement, initial: string): void {
  const box = h('textarea', {
    id: 'q',
    name: 'q',
    rows: 1,
    spellcheck: 'false',
    autocapitalize: 'off',
    'aria-label': 'Search the log',
    placeholder: 'email, sha256:…, entry UUID, log index or PEM public key',
  });
  box.value = initial;
  const results = h('div', { id: 'results', 'aria-live': 'polite' });
  const form = h('form', { class: 'search', role: 'search' }, box, h('button', { type: 'submit' }, 'Search'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = `#/search/${encodeURIComponent(box.value.trim())}`;
  });
  box.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey) {
      ev.preventDefault();
      form.requestSubmit();
    }
  });
  root.replaceChildren(section('Search the transparency log', form, results));
  if (initial.trim() !== '') void runSearch(initial, results);
  else box.focus();
}

async function runSearch(input: string, out: HTMLElement): Promise<void> {
  let query: SearchQuery;
  try {
    query = parseSearchQuery(input);
  } catch (e) {
    out.replaceChildren(message('error', (e as Error).message));
    return;
  }
  out.replaceChildren(message('info', 'Searching…'));
  try {
    const [v1, v2] = await Promise.all([searchV1(query), searchV2(query)]);
    if (v1.entries.length === 0 && v2.entries.length === 0) {
      out.replaceChildren(message('info', 'No entries found.'));
      return;
    }
    const both = v1.entries.length > 0 && v2.entries.length > 0;
    const part = (title: string, total: number, table: HTMLElement, shown: number): HTMLElement[] => [
      ...(both ? [h('h3', {}, title)] : []),
      h(
        'p',
        { class: 'count' },
        total > shown
          ? `${total} matches in the ${title}; the newest ${shown} are shown.`
          : `${total} found in the ${title}.`,
      ),
      table,
    ];
    out.replaceChildren(
      ...(v2.entries.length ? part('Rekor v2 log', v2.total, v2EntryTable(v2.entries), v2.entries.length) : []),
      ...(v1.entries.length ? part('Rekor v1 log', v1.total, entryTable(v1.entries), v1.entries.length) : []),
    );
  } catch (e) {
    out.replaceChildren(message('error', `Search failed: ${(e as Error).message}`));
  }
}

async function searchV1(query: SearchQuery): Promise<{ total: number; entries: Array<[string, LogEntryJson]> }> {
  const ids = await findIds(query);
  const entries = await fetchEntries(ids.slice(0, MAX_SHOWN));
  if (query.type === 'logIndex') entries.push(...(await byIndex(query.index)));
  return { total: Math.max(ids.length, entries.length), entries };
}

/** Matches in the Rekor v2 log (none where the server has no v2 log), each fetched by its index. */
async function searchV2(query: SearchQuery): Promise<{ total: number; entries: V2EntryJson[] }> {
  const hits = (await Promise.all(v2SearchesFor(query).map((q) => api.v2Search(q)))).flat();
  const indexes = [...new Set(query.type === 'logIndex' ? [query.index] : hits)].sort((a, b) => b - a);
  const entries = await Promise.all(
    indexes.slice(0, MAX_SHOWN_V2).map((i) => api.v2Entry(i).then((e) => [e], notFoundAsEmpty)),
  );
  return { total: indexes.length, entries: entries.flat() };
}

/** Entry UUIDs for a query, newest (highest index) last as the index answers; `uuidOrHash` tries both meanings. */
async function findIds(q: SearchQuery): Promise<string[]> {
  switch (q.type) {
    case 'logIndex':
      return [];
    case 'entryId':
      return [q.id];
    case 'uuidOrHash': {
      const [asHash, asId] = await Promise.all([
        api.searchIndex({ hash: `sha256:${q.hex}` }),
        api.entryById(q.hex).then((m) => [only(m)[0]], notFoundAsEmpty),
      ]);
      return [...new Set([...asId, ...asHash.reverse()])];
    }
    case 'hash':
      return (await api.searchIndex({ hash: q.hash })).reverse();
    case 'email':
      return (await api.searchIndex({ email: q.email })).reverse();
    case 'publicKey':
      return (await api.searchIndex({ publicKey: { format: q.format, content: q.content } })).reverse();
  }
}

async function fetchEntries(ids: string[]): Promise<Array<[string, LogEntryJson]>> {
  const calls: Array<Promise<EntryMap[]>> = [];
  for (let i = 0; i < ids.length; i += PER_CALL) calls.push(api.entriesByIds(ids.slice(i, i + PER_CALL)));
  const maps = (await Promise.all(calls)).flat();
  const seen = new Set<number>();
  return maps.map(only).filter(([, e]) => !seen.has(e.logIndex) && seen.add(e.logIndex));
}

async function byIndex(index: number): Promise<Array<[string, LogEntryJson]>> {
  return api.entryByIndex(index).then((m) => [only(m)], notFoundAsEmpty);
}

function notFoundAsEmpty(e: unknown): never[] {
  if (e instanceof ApiError && (e.status === 404 || e.status === 400)) return [];
  throw e;
}
