/**
 * Certificate issuance throughput over HTTP, the server in its own process: `signet up` (spawned from dist/, with its
 * CA, CT log and dev identity provider) answers POST /api/v2/signingCert from 16 concurrent clients in this process,
 * each request a real one: token check (RS256 against the provider's JWKS, fetched once by discovery), proof of
 * possession, precertificate, CT log entry and SCT, final certificate with the SCT embedded. The floor it is measured
 * against is one raw P-384 ECDSA signature in this process (each certificate costs two of them, the floor, plus the
 * CT log's P-384 verification of the precertificate and its P-256 SCT signature), in rounds after one unmeasured
 * round under the same load (the server's JIT warms up under concurrency). On a shared machine the wall-clock rates swing with the other load, so the bench also divides by
 * CPU time: certificates per CPU-second of the server process (all its threads, from /proc) against raw signatures
 * per CPU-second of this one. To profile the server, start it yourself and point the bench at it:
 *
 *   node --cpu-prof bin/signet.js up --port 3999 --data-dir /tmp/ca-prof &
 *   BENCH_URL=http://127.0.0.1:3999 BENCH_PID=$! node dist/bench/ca.js; kill %1
 *
 *   npm run build && node dist/bench/ca.js      (BENCH_SECONDS, BENCH_CONCURRENCY, BENCH_ROUNDS to tune)
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { startSignet } from '../test/helpers/process.js';
import { devSigningCertBody } from '../test/helpers/signing-cert.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** Raw P-384 signatures per wall second and per CPU-second of this process. */
function rawSignRate(): { wall: number; cpu: number } {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  const tbs = Buffer.alloc(900, 7);
  for (let i = 0; i < 200; i++) sign('sha384', tbs, key);
  const cpu0 = process.cpuUsage();
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) sign('sha384', tbs, key);
    n += 50;
  }
  const cpu = process.cpuUsage(cpu0);
  return { wall: n / SECONDS, cpu: n / ((cpu.user + cpu.system) / 1e6) };
}

/** CPU seconds a process has used, all threads (Linux /proc; NaN elsewhere). */
function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

function post(url: URL, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const external = process.env.BENCH_URL;
const stack = external
  ? { url: external, child: { pid: Number(process.env.BENCH_PID) }, stop: async () => 0, dataDir: '' }
  : await startSignet(['up'], { env: { SIGNET_LOG_LEVEL: 'warn' }, readyPath: '/api/v2/configuration' });
try {
  const body = await devSigningCertBody(stack.url, 'bench@example.com');
  const url = new URL(`${stack.url}/api/v2/signingCert`);
  const once = async () => {
    const r = await post(url, body);
    if (r.status !== 200 || !(JSON.parse(r.text) as Record<string, unknown>).signedCertificateEmbeddedSct) {
      throw new Error(`unexpected answer ${r.status}: ${r.text.slice(0, 200)}`);
    }
  };
  for (let i = 0; i < 50; i++) await once(); // warm up: discovery, JWKS, JIT
  /** Certificates issued by CONCURRENCY clients in SECONDS. */
  const load = async () => {
    let issued = 0;
    const end = performance.now() + SECONDS * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < end) {
          await once();
          issued++;
        }
      }),
    );
    return issued;
  };
  // One unmeasured round under the full load: the server's hot paths under concurrency are compiled by then.
  await load();
  const ratios: number[] = [];
  const cpuRatios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const cpu0 = cpuSeconds(stack.child.pid!);
    const issued = await load();
    const perCpu = issued / (cpuSeconds(stack.child.pid!) - cpu0);
    const rate = issued / SECONDS;
    const baseline = rawSignRate();
    ratios.push(rate / baseline.wall);
    cpuRatios.push(perCpu / baseline.cpu);
    console.log(
      `round ${round + 1}: ${rate.toFixed(0)} certificates with embedded SCT /s over HTTP (${CONCURRENCY} clients), ` +
        `${perCpu.toFixed(0)} per server CPU-second; raw P-384 signatures ${baseline.wall.toFixed(0)}/s, ` +
        `${baseline.cpu.toFixed(0)} per CPU-second; ratios ${(rate / baseline.wall).toFixed(3)} wall, ` +
        `${(perCpu / baseline.cpu).toFixed(3)} CPU`,
    );
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(
    `embedded-SCT certificates / raw P-384 signatures, median of ${ROUNDS} rounds: ${median(ratios).toFixed(3)} ` +
      `(wall-clock rates), ${median(cpuRatios).toFixed(3)} (per CPU-second)`,
  );
} finally {
  agent.destroy();
  await stack.stop();
  if (stack.dataDir) rmSync(stack.dataDir, { recursive: true, force: true });
}
