/**
 * Scale benchmark for the log: `npm run build && node dist/bench/log-scale.js [--entries N] [--read-dir DIR]`.
 * Writes: hashedrekord POSTs over HTTP (durable commits) against `signet log serve` on SQLite, on PostgreSQL with one
 * frontend, and on PostgreSQL with two frontends (requests alternate), each as a ratio to the same-run single-core
 * node:crypto P-256 verify rate, with the CPU each run cost per entry (servers, this load generator, PostgreSQL);
 * then POST->201 latency paced at --rate/s. The write load comes from this process over raw keep-alive sockets with
 * requests serialized before the clock starts (RawPoster in workload.ts), so it takes little of the CPU the
 * servers are measured on. First the ceiling: bench/bound-server.ts, which does only the work every upload needs and
 * keeps nothing, on one thread and on every core. `--only bound,sqlite,pg1,pg2` picks runs; `--cpu-prof DIR` profiles the
 * servers. Reads (with --read-dir, a data dir built by bench/bulk-load.ts; add --read-database-url for a PostgreSQL
 * log): GET entry by index (which carries its inclusion proof) and by UUID, consistency proofs, tiles and entry
 * bundles, req/s and p99. PostgreSQL runs are skipped when 127.0.0.1:5432 does not answer.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { serveLog, serveNode } from './serve.js';
import { hashedRekordBodies, p256VerifyCost, percentile, RawPoster } from './workload.js';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '6000' },
    concurrency: { type: 'string', default: '64' },
    paced: { type: 'string', default: '3000' },
    rate: { type: 'string', default: '1000' },
    'read-dir': { type: 'string' },
    // With --read-dir (the data dir holding the log key): serve the reads from this PostgreSQL log instead of SQLite.
    'read-database-url': { type: 'string' },
    'read-seconds': { type: 'string', default: '5' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    // Profile every server process: `--cpu-prof DIR` writes their V8 CPU profiles there when they stop.
    'cpu-prof': { type: 'string' },
    // Run only some write set-ups: a comma list of bound, sqlite, pg1, pg2 (all by default; ratios need them all).
    only: { type: 'string', default: 'bound,sqlite,pg1,pg2' },
    // Uploads per server process before each timed run: V8 still compiles the hot paths during the first thousand or
    // so, and a frontend's hand-off path, run once per batch, later still.
    'warm-up': { type: 'string', default: '2000' },
  },
});
const ENTRIES = Number(values.entries);
const WARM_UP = Number(values['warm-up']);
const cores = os.availableParallelism();
const CONCURRENCY = Number(values.concurrency);
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

function http(port: number, method: string, path: string, body?: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers = body ? { 'content-type': 'application/json', 'content-length': body.length } : {};
    const req = request({ host: '127.0.0.1', port, path, method, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function serve(args: string[], dataDir: string) {
  return serveLog(dataDir, args, values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : []);
}

/** CPU seconds (user + system, all threads) a process has used, from /proc (Linux; 0 elsewhere). */
function cpuSeconds(pid: number | 'self'): number {
  try {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th (clock ticks, 100/s).
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

/** CPU seconds of every PostgreSQL server process on this machine (other users' sessions included). */
function postgresCpuSeconds(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') total += cpuSeconds(Number(pid));
    } catch {
      // The process ended meanwhile.
    }
  }
  return total;
}

/** Where the CPU of a timed run went, per entry: the servers, this load generator, PostgreSQL. */
function cpuMeter(pids: number[]) {
  const take = () => ({
    servers: pids.reduce((a, p) => a + cpuSeconds(p), 0),
    client: cpuSeconds('self'),
    postgres: postgresCpuSeconds(),
  });
  const before = take();
  return (entries: number) => {
    const after = take();
    const per = (k: keyof typeof before) => ((after[k] - before[k]) * 1e6) / entries;
    const us = (k: keyof typeof before) => per(k).toFixed(0);
    return {
      text: `CPU per entry: servers ${us('servers')} us, load generator ${us('client')} us, all postgres processes ${us('postgres')} us`,
      /** The servers' and the load generator's CPU per entry, in µs (PostgreSQL's figure includes other users). */
      ours: per('servers') + per('client'),
    };
  };
}

const ENTRIES_PATH = '/api/v1/log/entries';

/** POSTs every body (prepared before the clock starts) with CONCURRENCY requests in flight, across `ports`. */
async function saturate(ports: number[], bodies: Buffer[]) {
  const posters = ports.map((p) => new RawPoster(p));
  const requests = bodies.map((b) => RawPoster.request(ENTRIES_PATH, b));
  let next = 0;
  let failed = 0;
  const lat: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests.length) {
        const i = next++;
        const t0 = performance.now();
        if ((await posters[i % posters.length]!.send(requests[i]!)) !== 201) failed++;
        lat.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = performance.now() - start;
  for (const p of posters) p.close();
  lat.sort((a, b) => a - b);
  return {
    rate: bodies.length / (elapsed / 1000),
    p50: percentile(lat, 0.5),
    p99: percentile(lat, 0.99),
    failed,
  };
}

/** POSTs the bodies at `rate` per second (open loop: a slow answer does not delay the next request). */
async function paced(ports: number[], bodies: Buffer[], rate: number) {
  const posters = ports.map((p) => new RawPoster(p));
  const requests = bodies.map((b) => RawPoster.request(ENTRIES_PATH, b));
  const lat: number[] = [];
  let failed = 0;
  const start = performance.now();
  const all: Promise<void>[] = [];
  for (let i = 0; i < requests.length; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    all.push(
      posters[i % posters.length]!.send(requests[i]!).then((s) => {
        lat.push(performance.now() - due);
        if (s !== 201) failed++;
      }),
    );
  }
  await Promise.all(all);
  for (const p of posters) p.close();
  lat.sort((a, b) => a - b);
  return { p50: percentile(lat, 0.5), p99: percentile(lat, 0.99), failed };
}

async function readLoad(port: number, seconds: number, path: () => string) {
  const lat: number[] = [];
  let failed = 0;
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (performance.now() < end) {
        const t0 = performance.now();
        if ((await http(port, 'GET', path())) !== 200) failed++;
        lat.push(performance.now() - t0);
      }
    }),
  );
  lat.sort((a, b) => a - b);
  return `${(lat.length / seconds).toFixed(0)} req/s, p50 ${percentile(lat, 0.5).toFixed(1)} ms, p99 ${percentile(lat, 0.99).toFixed(1)} ms, non-200 ${failed}`;
}

async function pgUp(url: string): Promise<boolean> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await c.connect();
    return true;
  } catch {
    return false;
  } finally {
    await c.end().catch(() => undefined);
  }
}

interface WriteFigures {
  rate: number;
  p99At: number;
}

async function writeRun(
  label: string,
  frontends: number,
  databaseUrl: string | undefined,
  base: { rate: number; cpuMicros: number },
): Promise<WriteFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-scale-bench-'));
  const args = databaseUrl ? ['--database-url', databaseUrl] : [];
  const servers = [];
  for (let i = 0; i < frontends; i++) servers.push(await serve(args, dir));
  const ports = servers.map((s) => s.port);
  try {
    // Each process gets the same warm-up, however many share the load.
    const warm = WARM_UP * frontends;
    const bodies = hashedRekordBodies(warm + ENTRIES + Number(values.paced));
    await saturate(ports, bodies.slice(0, warm));
    const meter = cpuMeter(servers.map((s) => s.pid));
    const sat = await saturate(ports, bodies.slice(warm, warm + ENTRIES));
    const cpu = meter(ENTRIES);
    const after = p256VerifyCost();
    const mean = (base.rate + after.rate) / 2;
    console.log(
      `write ${label}: ${sat.rate.toFixed(0)} entries/s (ratio to baseline ${(sat.rate / base.rate).toFixed(3)}), ` +
        `saturated p50 ${sat.p50.toFixed(1)} ms p99 ${sat.p99.toFixed(1)} ms, non-201 ${sat.failed}`,
    );
    console.log(`  ${cpu.text}`);
    // The baseline again right after the run: when the two differ much, the machine's load moved during the run and
    // the ratio above says more about the load than about the server.
    const verifies = cpu.ours / base.cpuMicros;
    console.log(
      `  baseline after the run ${after.rate.toFixed(0)}/s (ratio to the mean of both ${(sat.rate / mean).toFixed(3)}); ` +
        `an entry cost ${verifies.toFixed(1)} verifies' worth of CPU (servers + load generator; one verify ` +
        `${base.cpuMicros.toFixed(0)} us), so ${cores} cores used in full would give ` +
        `${(cores / verifies).toFixed(3)}x the one-core verify rate` +
        (databaseUrl ? " (PostgreSQL's own CPU not counted)" : ''),
    );
    const p = await paced(ports, bodies.slice(warm + ENTRIES), Number(values.rate));
    console.log(
      `latency ${label} at ${values.rate}/s: p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms, non-201 ${p.failed}`,
    );
    return { rate: sat.rate, p99At: p.p99 };
  } finally {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The ceiling on this machine: bench/bound-server.ts does only what every upload needs (parse, key, verify, canonical
 * body, leaf hash, SET signature, answer), nothing durable, on `threads` event loops sharing the listening socket.
 */
async function boundRun(threads: number, base: { rate: number }): Promise<number> {
  const script = fileURLToPath(new URL('./bound-server.js', import.meta.url));
  const s = await serveNode([script, '--threads', String(threads)], 'bound server');
  try {
    const bodies = hashedRekordBodies(WARM_UP + ENTRIES);
    await saturate([s.port], bodies.slice(0, WARM_UP));
    const meter = cpuMeter([s.pid]);
    const sat = await saturate([s.port], bodies.slice(WARM_UP));
    console.log(
      `ceiling, ${threads} thread${threads > 1 ? 's' : ''} (bound-server.ts: nothing durable): ${sat.rate.toFixed(0)} ` +
        `entries/s (ratio to baseline ${(sat.rate / base.rate).toFixed(3)}), non-201 ${sat.failed}; ${meter(ENTRIES).text}`,
    );
    return sat.rate;
  } finally {
    await s.stop();
  }
}

const baseline = p256VerifyCost();
const base = baseline.rate;
console.log(
  `baseline: node:crypto P-256 verify, one core: ${base.toFixed(0)}/s (${baseline.cpuMicros.toFixed(1)} us of CPU each)`,
);
const only = new Set(values.only!.split(','));
const ceilings = only.has('bound') ? [await boundRun(1, baseline), await boundRun(cores, baseline)] : [];
const sqlite = only.has('sqlite') ? await writeRun('SQLite, 1 frontend', 1, undefined, baseline) : undefined;
const pgBase = values['database-url']!;
const postgres: Array<WriteFigures | undefined> = [];
if (await pgUp(pgBase)) {
  for (const n of [1, 2]) {
    if (!only.has(`pg${n}`)) {
      postgres.push(undefined);
      continue;
    }
    const schema = `signet_bench_${randomBytes(4).toString('hex')}`;
    try {
      postgres.push(
        await writeRun(`PostgreSQL, ${n} frontend${n > 1 ? 's' : ''}`, n, `${pgBase}?schema=${schema}`, baseline),
      );
    } finally {
      const c = new pg.Client({ connectionString: pgBase });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  }
} else console.log('PostgreSQL not reachable: skipped');

// The issue's targets, as ratios within this one run (a loaded machine moves every figure, less so their ratios).
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
console.log('targets (same run; the load generator is this process, separate from the servers):');
if (sqlite) {
  const sqliteRatio = sqlite.rate / base;
  console.log(
    `  SQLite / one-core P-256 verify: ${sqliteRatio.toFixed(3)} (target >= 0.3: ${verdict(sqliteRatio >= 0.3)}), ` +
      `${CONCURRENCY} in flight, bodies pre-signed by 16 keys`,
  );
  if (ceilings.length) {
    console.log(
      `  SQLite / ceiling on 1 and ${cores} threads (same work minus storage, tree and checks): ` +
        ceilings.map((c) => (sqlite.rate / c).toFixed(3)).join(' and '),
    );
  }
}
const [pg1, pg2] = postgres;
if (pg2) {
  const vsSqlite = sqlite ? pg2.rate / sqlite.rate : undefined;
  console.log(
    `  PostgreSQL 2 frontends: ${pg2.rate.toFixed(0)} entries/s (target >= 2000: ${verdict(pg2.rate >= 2000)})` +
      (vsSqlite === undefined
        ? ''
        : `; / SQLite: ${vsSqlite.toFixed(3)} (target >= 0.7: ${verdict(vsSqlite >= 0.7)})`) +
      (pg1 ? `; 2 frontends / 1 frontend: ${(pg2.rate / pg1.rate).toFixed(3)}` : ''),
  );
}
for (const [n, f] of [
  [1, pg1],
  [2, pg2],
] as const) {
  if (!f) continue;
  console.log(
    `  PostgreSQL ${n} frontend${n > 1 ? 's' : ''}: p99 POST-to-201 at ${values.rate}/s ${f.p99At.toFixed(1)} ms ` +
      `(target <= 100 ms: ${verdict(f.p99At <= 100)})`,
  );
}

if (values['read-dir']) {
  const readDb = values['read-database-url'];
  const s = await serve(readDb ? ['--database-url', readDb] : [], values['read-dir']);
  try {
    const info = (await (await fetch(`http://127.0.0.1:${s.port}/api/v1/log`)).json()) as { treeSize: number };
    const size = info.treeSize;
    const rnd = () => Math.floor(Math.random() * size);
    const secs = Number(values['read-seconds']);
    console.log(
      `reads on a ${readDb ? 'PostgreSQL' : 'SQLite'} log of ${size} entries (32 connections, ${secs} s each):`,
    );
    console.log(
      `  GET entry by index (+ inclusion proof), whole log: ${await readLoad(s.port, secs, () => `/api/v1/log/entries?logIndex=${rnd()}`)}`,
    );
    // 2,000 random entries' indexes and UUIDs, gathered before the timed runs (so their rows are then cached):
    // by index and by UUID over the same set compare the two lookups; the run above is over the whole log.
    const sample: Array<[number, string]> = [];
    for (let i = 0; i < 2000; i++) {
      const at = rnd();
      const r = (await (await fetch(`http://127.0.0.1:${s.port}/api/v1/log/entries?logIndex=${at}`)).json()) as object;
      sample.push([at, Object.keys(r)[0]!]);
    }
    const pick = () => sample[Math.floor(Math.random() * sample.length)]!;
    console.log(
      `  GET entry by index, 2,000-entry set:    ${await readLoad(s.port, secs, () => `/api/v1/log/entries?logIndex=${pick()[0]}`)}`,
    );
    console.log(
      `  GET entry by UUID, same set:            ${await readLoad(s.port, secs, () => `/api/v1/log/entries/${pick()[1]}`)}`,
    );
    console.log(
      `  GET consistency proof:                  ${await readLoad(s.port, secs, () => `/api/v1/log/proof?firstSize=${1 + rnd()}&lastSize=${size}`)}`,
    );
    const tilePath = (n: number) => {
      const digits = String(n);
      const g = digits.padStart(Math.ceil(digits.length / 3) * 3, '0').match(/.{3}/g)!;
      return g.map((x, k) => (k < g.length - 1 ? `x${x}` : x)).join('/');
    };
    const full = Math.floor(size / 256);
    const randomTile = () => tilePath(Math.floor(Math.random() * full));
    console.log(
      `  GET full level-0 tile:                  ${await readLoad(s.port, secs, () => `/tile/0/${randomTile()}`)}`,
    );
    console.log(
      `  GET full level-1 tile:                  ${await readLoad(s.port, secs, () => `/tile/1/${tilePath(Math.floor(Math.random() * Math.floor(full / 256)))}`)}`,
    );
    console.log(
      `  GET full entry bundle:                  ${await readLoad(s.port, secs, () => `/tile/entries/${randomTile()}`)}`,
    );
  } finally {
    await s.stop();
  }
}
agent.destroy();
