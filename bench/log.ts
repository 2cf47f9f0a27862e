/**
 * Transparency log write benchmark: `npm run build && node dist/bench/log.js [--entries N] [--concurrency C]`.
 * Starts `signet log serve` in a child process (SQLite, synchronous=FULL), pre-signs hashedrekord entries, then
 * 1) saturates POST /api/v1/log/entries and prints entries/s with p50/p99 latency, 2) paces 1,000 entries/s and
 * prints p50/p99, and compares throughput with a same-run baseline: raw node:crypto P-256 verifies/s on one core.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serveSignet } from './serve.js';
import { hashedRekordBodies, p256VerifyBaseline, percentile } from './workload.js';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '30000' },
    concurrency: { type: 'string', default: '128' },
    paced: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '1000' },
    port: { type: 'string' },
  },
});
const ENTRIES = Number(values.entries);
const CONCURRENCY = Number(values.concurrency);
const PACED = Number(values.paced);
const RATE = Number(values.rate);

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(port: number, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/log/entries',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function startServer(): Promise<{ port: number; stop(): Promise<void>; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-'));
  return { ...(await serveSignet(['log', 'serve', '--port', '0', '--data-dir', dir])), dir };
}

async function saturate(port: number, bodies: Buffer[]) {
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const t0 = performance.now();
        const status = await post(port, body);
        latencies.push(performance.now() - t0);
        if (status !== 201) failed++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: bodies.length / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), failed };
}

async function paced(port: number, bodies: Buffer[], rate: number) {
  const latencies: number[] = [];
  let failed = 0;
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < bodies.length; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    pending.push(
      post(port, bodies[i]!).then((status) => {
        latencies.push(performance.now() - Math.max(due, start));
        if (status !== 201) failed++;
      }),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), failed };
}

const baseline = p256VerifyBaseline();
console.log(`baseline: node:crypto P-256 verify on one core: ${baseline.toFixed(0)}/s`);
console.log(`pre-signing ${ENTRIES + PACED} hashedrekord entries...`);
const bodies = hashedRekordBodies(ENTRIES + PACED);
// --port drives an already running server (e.g. one started under a profiler) instead of spawning one.
const server = values.port ? { port: Number(values.port), dir: '', stop: async () => {} } : await startServer();
try {
  await saturate(server.port, bodies.slice(0, Math.min(1000, ENTRIES))); // warm up (JIT, caches)
  const sat = await saturate(server.port, bodies.slice(1000, ENTRIES));
  console.log(
    `saturated (concurrency ${CONCURRENCY}): ${sat.rate.toFixed(0)} entries/s, p50 ${sat.p50.toFixed(1)} ms, ` +
      `p99 ${sat.p99.toFixed(1)} ms, non-201 ${sat.failed}; ratio to baseline ${(sat.rate / baseline).toFixed(3)}`,
  );
  const pace = await paced(server.port, bodies.slice(ENTRIES), RATE);
  console.log(`paced ${RATE}/s: p50 ${pace.p50.toFixed(1)} ms, p99 ${pace.p99.toFixed(1)} ms, non-201 ${pace.failed}`);
} finally {
  agent.destroy();
  await server.stop();
  if (server.dir) rmSync(server.dir, { recursive: true, force: true });
}
