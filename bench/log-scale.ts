/**
 * Scale benchmark for the log: `npm run build && node dist/bench/log-scale.js [--entries N] [--read-dir DIR]`.
 * Writes: hashedrekord POSTs over HTTP (durable commits) against `signet log serve` on SQLite, on PostgreSQL with one
 * frontend, and on PostgreSQL with two frontends (requests alternate), each as a ratio to the same-run single-core
 * node:crypto P-256 verify rate; then POST->201 latency paced at --rate/s. Reads (with --read-dir, a data dir built
 * by bench/bulk-load.ts): GET entry by index (which carries its inclusion proof), consistency proofs and tiles,
 * req/s and p99. PostgreSQL runs are skipped when 127.0.0.1:5432 does not answer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { hashedRekordBodies, p256VerifyBaseline, percentile } from './workload.js';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '6000' },
    concurrency: { type: 'string', default: '64' },
    paced: { type: 'string', default: '3000' },
    rate: { type: 'string', default: '1000' },
    'read-dir': { type: 'string' },
    'read-seconds': { type: 'string', default: '5' },
    'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const ENTRIES = Number(values.entries);
const CONCURRENCY = Number(values.concurrency);
const signetBin = fileURLToPath(new URL('../../bin/signet.js', import.meta.url));
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

async function serve(args: string[], dataDir: string) {
  const port = 20000 + Math.floor(Math.random() * 30000);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      signetBin,
      'log',
      'serve',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
      '--public-url',
      'http://bench.test',
      ...args,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
    } catch {
      if (i > 600) throw new Error('signet log serve did not start');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () =>
    new Promise<void>((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM'))));
  return { port, stop };
}

async function saturate(ports: number[], bodies: Buffer[]) {
  let next = 0;
  let failed = 0;
  const lat: number[] = [];
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const i = next++;
        const t0 = performance.now();
        if ((await http(ports[i % ports.length]!, 'POST', '/api/v1/log/entries', bodies[i])) !== 201) failed++;
        lat.push(performance.now() - t0);
      }
    }),
  );
  lat.sort((a, b) => a - b);
  return {
    rate: bodies.length / ((performance.now() - start) / 1000),
    p50: percentile(lat, 0.5),
    p99: percentile(lat, 0.99),
    failed,
  };
}

async function paced(ports: number[], bodies: Buffer[], rate: number) {
  const lat: number[] = [];
  let failed = 0;
  const start = performance.now();
  const all: Promise<void>[] = [];
  for (let i = 0; i < bodies.length; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    all.push(
      http(ports[i % ports.length]!, 'POST', '/api/v1/log/entries', bodies[i]).then((s) => {
        lat.push(performance.now() - due);
        if (s !== 201) failed++;
      }),
    );
  }
  await Promise.all(all);
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

async function writeRun(label: string, frontends: number, databaseUrl: string | undefined, base: number) {
  const dir = mkdtempSync(join(tmpdir(), 'signet-scale-bench-'));
  const args = databaseUrl ? ['--database-url', databaseUrl] : [];
  const servers = [];
  for (let i = 0; i < frontends; i++) servers.push(await serve(args, dir));
  const ports = servers.map((s) => s.port);
  try {
    const bodies = hashedRekordBodies(ENTRIES + Number(values.paced) + 500);
    await saturate(ports, bodies.slice(0, 500)); // warm-up
    const sat = await saturate(ports, bodies.slice(500, 500 + ENTRIES));
    console.log(
      `write ${label}: ${sat.rate.toFixed(0)} entries/s (ratio to baseline ${(sat.rate / base).toFixed(3)}), ` +
        `saturated p50 ${sat.p50.toFixed(1)} ms p99 ${sat.p99.toFixed(1)} ms, non-201 ${sat.failed}`,
    );
    const p = await paced(ports, bodies.slice(500 + ENTRIES), Number(values.rate));
    console.log(
      `latency ${label} at ${values.rate}/s: p50 ${p.p50.toFixed(1)} ms, p99 ${p.p99.toFixed(1)} ms, non-201 ${p.failed}`,
    );
  } finally {
    for (const s of servers) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const base = p256VerifyBaseline();
console.log(`baseline: node:crypto P-256 verify, one core: ${base.toFixed(0)}/s`);
await writeRun('SQLite, 1 frontend', 1, undefined, base);
const pgBase = values['database-url']!;
if (await pgUp(pgBase)) {
  for (const n of [1, 2]) {
    const schema = `signet_bench_${randomBytes(4).toString('hex')}`;
    try {
      await writeRun(`PostgreSQL, ${n} frontend${n > 1 ? 's' : ''}`, n, `${pgBase}?schema=${schema}`, base);
    } finally {
      const c = new pg.Client({ connectionString: pgBase });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await c.end();
    }
  }
} else console.log('PostgreSQL not reachable: skipped');

if (values['read-dir']) {
  const s = await serve([], values['read-dir']);
  try {
    const info = (await (await fetch(`http://127.0.0.1:${s.port}/api/v1/log`)).json()) as { treeSize: number };
    const size = info.treeSize;
    const rnd = () => Math.floor(Math.random() * size);
    const secs = Number(values['read-seconds']);
    console.log(`reads on a log of ${size} entries (32 connections, ${secs} s each):`);
    console.log(
      `  GET entry by index (+ inclusion proof): ${await readLoad(s.port, secs, () => `/api/v1/log/entries?logIndex=${rnd()}`)}`,
    );
    console.log(
      `  GET consistency proof:                  ${await readLoad(s.port, secs, () => `/api/v1/log/proof?firstSize=${1 + rnd()}&lastSize=${size}`)}`,
    );
    const full = Math.floor(size / 256);
    const tile = () => {
      const digits = String(Math.floor(Math.random() * full));
      const g = digits.padStart(Math.ceil(digits.length / 3) * 3, '0').match(/.{3}/g)!;
      return `/tile/0/${g.map((x, k) => (k < g.length - 1 ? `x${x}` : x)).join('/')}`;
    };
    console.log(`  GET full level-0 tile:                  ${await readLoad(s.port, secs, tile)}`);
  } finally {
    await s.stop();
  }
}
agent.destroy();
