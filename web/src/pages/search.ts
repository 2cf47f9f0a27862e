import { api, ApiError, only, type EntryMap, type SearchPage } from '../api.js';
import { entryTable, v2EntryTable } from '../entry-list.js';
import { h, message, section } from '../dom.js';
import { indexQueryFor, parseSearchQuery, v2LeafHashFor, type SearchQuery } from '../lib/search-query.js';
import type { V2EntryJson } from '../lib/verify-v2-entry.js';
import type { LogEntryJson } from '../lib/verify-entry.js';

/** Matches fetched per page; the index can hold many more for a busy identity ("Older matches" fetches more). */
const PAGE = 50;
/** The v2 log answers one entry per call (with its proof), so its pages are smaller. */
const PAGE_V2 = 20;
/** Rekor's limit per `entries/retrieve` call. */
const PER_CALL = 10;

/** Matches in one log, newest first, and (when the index has older ones) how to fetch the next page. */
interface Paged<E> {
  entries: E[];
  more?: () => Promise<Paged<E>>;
}

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
    out.replaceChildren(
      ...(v2.entries.length ? [results('Rekor v2 log', both, v2, v2EntryTable, (e) => e.logIndex)] : []),
      ...(v1.entries.length ? [results('Rekor v1 log', both, v1, entryTable, ([, e]) => e.logIndex)] : []),
    );
  } catch (e) {
    out.replaceChildren(message('error', `Search failed: ${(e as Error).message}`));
  }
}

/** One log's matches: a count, the table, and a button that appends the next (older) page while there is one. */
function results<E>(
  title: string,
  withTitle: boolean,
  first: Paged<E>,
  table: (entries: E[]) => HTMLElement,
  indexOf: (e: E) => number,
): HTMLElement {
  const box = h('div', { class: 'results' });
  const shown: E[] = [];
  const seen = new Set<number>();
  const render = (page: Paged<E>, error?: string) => {
    for (const e of page.entries) if (!seen.has(indexOf(e)) && seen.add(indexOf(e))) shown.push(e);
    const count = page.more
      ? `The newest ${shown.length} matches in the ${title}; older ones follow on request.`
      : `${shown.length} found in the ${title}.`;
    const more = page.more;
    let button: HTMLButtonElement | undefined;
    if (more) {
      button = h('button', { type: 'button', class: 'more' }, 'Older matches');
      button.addEventListener('click', () => {
        button!.disabled = true;
        button!.textContent = 'Loading…';
        more().then(
          (next) => render(next),
          (e: unknown) => render({ entries: [], more }, `Loading older matches failed: ${(e as Error).message}`),
        );
      });
    }
    box.replaceChildren(
      ...(withTitle ? [h('h3', {}, title)] : []),
      h('p', { class: 'count' }, count),
      table(shown),
      ...(error ? [message('error', error)] : []),
      ...(button ? [button] : []),
    );
  };
  render(first);
  return box;
}

/** Matches in the Rekor v1 log: an entry looked up directly (index, UUID, ID) and a page of index matches. */
async function searchV1(query: SearchQuery): Promise<Paged<[string, LogEntryJson]>> {
  const index = indexQueryFor(query);
  const [direct, page] = await Promise.all([directV1(query), index ? v1Page(index) : none<[string, LogEntryJson]>()]);
  return { entries: [...direct, ...page.entries], ...(page.more ? { more: page.more } : {}) };
}

/** One page of v1 index matches from `before` down (newest first), each entry fetched 10 per call. */
async function v1Page(index: Record<string, unknown>, before?: number): Promise<Paged<[string, LogEntryJson]>> {
  const page = await api.search(index, PAGE, before);
  return withMore(await entriesAt(page.logIndexes), page, (next) => v1Page(index, next));
}

async function directV1(q: SearchQuery): Promise<Array<[string, LogEntryJson]>> {
  switch (q.type) {
    case 'logIndex':
      return api.entryByIndex(q.index).then((m) => [only(m)], notFoundAsEmpty);
    case 'entryId':
    case 'uuidOrHash':
      return api.entryById(q.type === 'entryId' ? q.id : q.hex).then((m) => [only(m)], notFoundAsEmpty);
    default:
      return [];
  }
}

/** Matches in the Rekor v2 log (none where the server has no v2 log), each entry fetched by its index. */
async function searchV2(query: SearchQuery): Promise<Paged<V2EntryJson>> {
  const index = indexQueryFor(query);
  const leafHash = v2LeafHashFor(query);
  const [direct, page] = await Promise.all([
    query.type === 'logIndex'
      ? Promise.resolve([query.index])
      : leafHash
        ? api.v2Search({ leafHash }).then((p) => p.logIndexes)
        : Promise.resolve([]),
    index ? v2Page(index) : none<V2EntryJson>(),
  ]);
  const entries = (await v2Entries(direct)).concat(page.entries);
  return { entries, ...(page.more ? { more: page.more } : {}) };
}

async function v2Page(index: Record<string, unknown>, before?: number): Promise<Paged<V2EntryJson>> {
  const page = await api.v2Search({ ...index, limit: PAGE_V2, ...(before === undefined ? {} : { before }) });
  return withMore(await v2Entries(page.logIndexes), page, (next) => v2Page(index, next));
}

async function v2Entries(indexes: number[]): Promise<V2EntryJson[]> {
  const got = await Promise.all(indexes.map((i) => api.v2Entry(i).then((e) => [e], notFoundAsEmpty)));
  return got.flat();
}

function withMore<E>(entries: E[], page: SearchPage, next: (before: number) => Promise<Paged<E>>): Paged<E> {
  const before = page.next;
  return before === undefined ? { entries } : { entries, more: () => next(before) };
}

/** Entries at these log indexes, 10 per `entries/retrieve` call (Rekor's limit), in the order given. */
async function entriesAt(indexes: number[]): Promise<Array<[string, LogEntryJson]>> {
  const calls: Array<Promise<EntryMap[]>> = [];
  for (let i = 0; i < indexes.length; i += PER_CALL) {
    calls.push(api.entriesByIndexes(indexes.slice(i, i + PER_CALL)));
  }
  return (await Promise.all(calls)).flat().map(only);
}

const none = async <E>(): Promise<Paged<E>> => ({ entries: [] });

function notFoundAsEmpty(e: unknown): never[] {
  if (e instanceof ApiError && (e.status === 404 || e.status === 400)) return [];
  throw e;
}
