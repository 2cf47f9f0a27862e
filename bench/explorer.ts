/**
 * The web explorer's pages on a large log, measured as the browser loads them (the same API calls, in the same
 * order and fan-out) from this process against `signet log serve` in another:
 * `npm run build && node dist/bench/explorer.js [--read-dir DIR | --entries N] [--seconds S] [--concurrency C]`.
 * Without --read-dir a log of --entries (100,000) is built first with bench/bulk-load. The baseline, measured in the
 * same run, is the server's cheapest route (`GET /api/v1/log`); each page prints pages/s, p50/p99 and pages/s over
 * baseline requests/s. Search by public key is the heavy case: bulk-load signs with 16 keys, so one key names 1/16
 * of the log and the page lists the newest 50 of them (one page of `/explorer/api/search`); the same search through
 * Rekor's unpaged `/api/v1/index/retrieve`, as the explorer did before, is measured for comparison.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { httpCall, serveLog } from './serve.js';
import { percentile } from './workload.js';

const { values } = parseArgs({
  options: {
    'read-dir': { type: 'string' },
    entries: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '8' },
  },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);

function buildLog(): string {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-explorer-'));
  const bulk = fileURLToPath(new URL('./bulk-load.js', import.meta.url));
  console.log(`building a ${values.entries}-entry log with bulk-load...`);
  const run = spawnSync(process.execPath, [bulk, '--count', values.entries!, '--data-dir', dir], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error('bulk-load failed');
  return dir;
}

const built = values['read-dir'] === undefined;
const dataDir = values['read-dir'] ?? buildLog();
const server = await serveLog(dataDir);
const call = async (method: string, path: string, body?: unknown): Promise<Buffer> => {
  const r = await httpCall(server.port, method, path, body);
  if (r.status !== 200) throw new Error(`${method} ${path}: ${r.status} ${r.body.toString().slice(0, 200)}`);
  return r.body;
};
const getJson = async <T>(path: string): Promise<T> => JSON.parse((await call('GET', path)).toString()) as T;
const postJson = async <T>(path: string, body: unknown): Promise<T> =>
  JSON.parse((await call('POST', path, body)).toString()) as T;

interface EntryBody {
  spec: { signature: { publicKey: { content: string } }; data: { hash: { value: string } } };
}
const { treeSize } = await getJson<{ treeSize: number }>('/api/v1/log');
const first = Object.values(await getJson<Record<string, { body: string }>>('/api/v1/log/entries?logIndex=0'))[0]!;
const sample = JSON.parse(Buffer.from(first.body, 'base64').toString()) as EntryBody;
const publicKey = { format: 'x509', content: sample.spec.signature.publicKey.content };
const hash = `sha256:${sample.spec.data.hash.value}`;

/**
 * The search page as the explorer loads it: one page of the newest 50 matches from `/explorer/api/search`, then
 * those entries 10 per `entries/retrieve` (Rekor's limit).
 */
async function search(query: Record<string, unknown>): Promise<number> {
  const { logIndexes } = await postJson<{ logIndexes: number[] }>('/explorer/api/search', { ...query, limit: 50 });
  await entriesAt(logIndexes);
  return logIndexes.length;
}

/** The explorer's search before the paged route, kept as a same-run comparison: every match from Rekor's API. */
async function searchUnpaged(query: unknown): Promise<number> {
  const ids = (await postJson<string[]>('/api/v1/index/retrieve', query)).reverse().slice(0, 50);
  const calls = [];
  for (let i = 0; i < ids.length; i += 10)
    calls.push(postJson('/api/v1/log/entries/retrieve', { entryUUIDs: ids.slice(i, i + 10) }));
  await Promise.all(calls);
  return ids.length;
}

async function entriesAt(logIndexes: number[]): Promise<void> {
  const calls = [];
  for (let i = 0; i < logIndexes.length; i += 10)
    calls.push(postJson('/api/v1/log/entries/retrieve', { logIndexes: logIndexes.slice(i, i + 10) }));
  await Promise.all(calls);
}

/** A page deep into the key's matches ("Older matches" clicked many times): the cursor is a random log index. */
async function searchDeep(query: Record<string, unknown>): Promise<number> {
  const before = Math.floor(Math.random() * treeSize);
  const { logIndexes } = await postJson<{ logIndexes: number[] }>('/explorer/api/search', {
    ...query,
    limit: 50,
    before,
  });
  await entriesAt(logIndexes);
  return logIndexes.length;
}

const pages: Record<string, () => Promise<unknown>> = {
  'log page (info, checkpoint, key, timeline, newest 10)': () =>
    Promise.all([
      call('GET', '/api/v1/log'),
      call('GET', '/checkpoint'),
      call('GET', '/api/v1/log/publicKey'),
      call('GET', '/explorer/api/timeline'),
      postJson('/api/v1/log/entries/retrieve', {
        logIndexes: Array.from({ length: Math.min(10, treeSize) }, (_, i) => treeSize - 1 - i),
      }),
    ]),
  'entry page by log index (random)': () =>
    call('GET', `/api/v1/log/entries?logIndex=${Math.floor(Math.random() * treeSize)}`),
  'search by artifact hash': () => search({ hash }),
  'paged search API alone (/explorer/api/search, key, newest 50 indexes)': () =>
    postJson('/explorer/api/search', { publicKey, limit: 50 }),
  'search by public key (1/16 of the log, newest 50)': () => search({ publicKey }),
  'search by public key, an older page (random cursor)': () => searchDeep({ publicKey }),
  'search by public key through /api/v1/index/retrieve (before paging)': () => searchUnpaged({ publicKey }),
};

async function measure(page: () => Promise<unknown>) {
  const lat: number[] = [];
  const start = performance.now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        await page();
        lat.push(performance.now() - t0);
      }
    }),
  );
  // Over the time taken: requests still running at the deadline are waited for and counted.
  const elapsed = (performance.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  return { rate: lat.length / elapsed, p50: percentile(lat, 0.5), p99: percentile(lat, 0.99) };
}

try {
  const keyHits = (await postJson<string[]>('/api/v1/index/retrieve', { publicKey })).length;
  console.log(
    `log of ${treeSize.toLocaleString('en')} entries; the searched key names ${keyHits.toLocaleString('en')} ` +
      `(pid ${process.pid} loads the server, pid ${server.pid})`,
  );
  const baseline = await measure(() => call('GET', '/api/v1/log'));
  console.log(`baseline GET /api/v1/log: ${baseline.rate.toFixed(0)} req/s (concurrency ${CONCURRENCY})`);
  for (const [name, page] of Object.entries(pages)) {
    const m = await measure(page);
    console.log(
      `${name}: ${m.rate < 10 ? m.rate.toFixed(2) : m.rate.toFixed(0)} pages/s, p50 ${m.p50.toFixed(1)} ms, p99 ${m.p99.toFixed(1)} ms, ` +
        `${(m.rate / baseline.rate).toFixed(3)}x baseline`,
    );
  }
} finally {
  await server.stop();
  if (built) rmSync(dataDir, { recursive: true, force: true });
}
