/**
 * Rekor v2 write benchmark: `npm run build && node dist/bench/rekor-v2.js [--entries N] [--concurrency C]
 * [--rounds R]`. `--cpu-prof DIR` profiles the server. Starts `signet up` in a child process (both logs on SQLite,
 * synchronous=FULL) and, from this process, saturates POST /api/v2/log/entries with pre-signed hashedrekord 0.0.2
 * requests and POST /api/v1/log/entries with hashedrekord 0.0.1 ones against the same server, in R alternating
 * rounds (v2 then v1, then v1 then v2, ...) so that load from other processes on a shared machine falls on both
 * logs alike. Prints each round, then per log entries/s over all rounds, p50/p99 and its ratio to the same-run
 * baseline (raw node:crypto P-256 verifies/s on one core): the v2 ratio should be at least v1's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { serveSignet } from './serve.js';
import { hashedRekordBodies, hashedRekordV2Bodies, p256VerifyBaseline, percentile } from './workload.js';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '128' },
    rounds: { type: 'string', default: '4' },
    // Profile the server process: `--cpu-prof DIR` writes its V8 CPU profile there when it stops.
    'cpu-prof': { type: 'string' },
  },
});
const ENTRIES = Number(values.entries);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Math.max(1, Number(values.rounds));
const WARMUP = Math.min(1000, Math.floor(ENTRIES / 10));
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function post(port: number, path: string, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
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

async function startStack(): Promise<{ port: number; stop(): Promise<void>; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-v2-'));
  const prof = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];
  return { ...(await serveSignet(['up', '--port', '0', '--data-dir', dir], prof)), dir };
}

async function saturate(port: number, path: string, bodies: Buffer[]) {
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const t0 = performance.now();
        const status = await post(port, path, body);
        latencies.push(performance.now() - t0);
        if (status !== 201) failed++;
      }
    }),
  );
  return { seconds: (performance.now() - start) / 1000, latencies, failed };
}

const baseline = p256VerifyBaseline();
console.log(`baseline: node:crypto P-256 verify on one core: ${baseline.toFixed(0)}/s`);
console.log(`pre-signing ${2 * ENTRIES} hashedrekord requests (0.0.2 and 0.0.1)...`);
const logs = [
  { name: 'rekor v2', path: '/api/v2/log/entries', bodies: hashedRekordV2Bodies(ENTRIES) },
  { name: 'rekor v1', path: '/api/v1/log/entries', bodies: hashedRekordBodies(ENTRIES) },
];
const stack = await startStack();
try {
  for (const log of logs) await saturate(stack.port, log.path, log.bodies.slice(0, WARMUP)); // JIT, caches, threads
  const perRound = Math.floor((ENTRIES - WARMUP) / ROUNDS);
  const totals = logs.map(() => ({ seconds: 0, entries: 0, latencies: [] as number[], failed: 0 }));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    const line: string[] = [];
    for (const i of order) {
      const log = logs[i]!;
      const from = WARMUP + round * perRound;
      const r = await saturate(stack.port, log.path, log.bodies.slice(from, from + perRound));
      const t = totals[i]!;
      t.seconds += r.seconds;
      t.entries += perRound;
      t.latencies.push(...r.latencies);
      t.failed += r.failed;
      line.push(`${log.name} ${(perRound / r.seconds).toFixed(0)}/s`);
    }
    console.log(`round ${round + 1}/${ROUNDS}: ${line.join(', ')}`);
  }
  const ratios = totals.map((t, i) => {
    const rate = t.entries / t.seconds;
    const ratio = rate / baseline;
    t.latencies.sort((a, b) => a - b);
    console.log(
      `${logs[i]!.name} saturated (concurrency ${CONCURRENCY}): ${rate.toFixed(0)} entries/s, ` +
        `p50 ${percentile(t.latencies, 0.5).toFixed(1)} ms, p99 ${percentile(t.latencies, 0.99).toFixed(1)} ms, ` +
        `non-201 ${t.failed}; ratio to baseline ${ratio.toFixed(3)}`,
    );
    return ratio;
  });
  console.log(
    `ratios to baseline: v2 ${ratios[0]!.toFixed(3)}, v1 ${ratios[1]!.toFixed(3)}; ` +
      `v2/v1 ${(ratios[0]! / ratios[1]!).toFixed(2)} (aim: >= 1, ${ratios[0]! >= ratios[1]! ? 'met' : 'NOT met'})`,
  );
} finally {
  agent.destroy();
  await stack.stop();
  rmSync(stack.dir, { recursive: true, force: true });
}
