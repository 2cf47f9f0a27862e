/**
 * Timestamp authority throughput: `npm run build && node dist/bench/tsa.js [--requests N] [--concurrency C]
 * [--cpu-prof DIR]`.
 * Starts `signet tsa serve` in a child process, so this process only makes load: DER TimeStampReqs (SHA-256
 * imprint, nonce, no certReq, as cosign sends them) POSTed to /api/v1/timestamp over keep-alive HTTP; prints
 * timestamps/s with p50/p99 latency. The same-run baseline is raw signatures/s of the TSA's own key (read from the
 * child's data dir) with node:crypto on one core: each timestamp costs one such signature.
 */
import { spawn } from 'node:child_process';
import { createHash, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { MessageImprint, TimeStampReq } from '@peculiar/asn1-tsp';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { TSA_FILES } from '../src/tsa/index.js';
import { percentile } from './workload.js';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '5000' },
    concurrency: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '3' },
    // Profile the server process: `--cpu-prof DIR` writes its V8 CPU profile there when it stops.
    'cpu-prof': { type: 'string' },
  },
});
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);
const SECONDS = Number(values.seconds);
const signetBin = fileURLToPath(new URL('../../bin/signet.js', import.meta.url));
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function query(): Buffer {
  const req = new TimeStampReq({
    version: 1,
    messageImprint: new MessageImprint({
      hashAlgorithm: new AlgorithmIdentifier({ algorithm: '2.16.840.1.101.3.4.2.1' }),
      hashedMessage: new OctetString(createHash('sha256').update(randomBytes(64)).digest()),
    }),
    nonce: new Uint8Array([0x01, ...randomBytes(7)]).buffer,
    certReq: false,
  });
  return Buffer.from(AsnConvert.serialize(req));
}

function post(port: number, body: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path: '/api/v1/timestamp',
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/timestamp-query', 'content-length': body.length },
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

async function startServer(dir: string): Promise<{ port: number; stop(): Promise<void> }> {
  const port = 20000 + Math.floor(Math.random() * 20000);
  const prof = values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : [];
  const args = [...prof, signetBin, 'tsa', 'serve', '--port', String(port), '--data-dir', dir];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, SIGNET_LOG_LEVEL: 'warn' },
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/v1/timestamp/certchain`)).ok) break;
    } catch {
      if (i > 300) throw new Error('signet tsa serve did not start');
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { port, stop };
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
        if ((await post(port, body)) !== 200) failed++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: bodies.length / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), failed };
}

/** Raw signatures/s with the TSA's key over a signed-attributes-sized message, on one core. */
function rawSignRate(dir: string): number {
  const password = readFileSync(join(dir, TSA_FILES.generatedPassword), 'utf8').trim();
  const key = createPrivateKey({ key: readFileSync(join(dir, TSA_FILES.key)), passphrase: password });
  const message = randomBytes(180);
  for (let i = 0; i < 500; i++) sign('sha256', message, key);
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) sign('sha256', message, key);
    n += 100;
  }
  return n / SECONDS;
}

const dir = mkdtempSync(join(tmpdir(), 'signet-bench-tsa-'));
const server = await startServer(dir);
try {
  const bodies = Array.from({ length: REQUESTS }, query);
  await saturate(server.port, bodies.slice(0, Math.min(2000, REQUESTS / 10))); // warm up (JIT)
  const sat = await saturate(server.port, bodies);
  await server.stop();
  const baseline = rawSignRate(dir);
  const line = (label: string, value: string) => console.log(`${label.padEnd(62)} ${value.padStart(10)}`);
  line(`timestamps over HTTP (${CONCURRENCY} clients, separate process) /s`, sat.rate.toFixed(0));
  line('  latency p50 / p99 ms', `${sat.p50.toFixed(1)} / ${sat.p99.toFixed(1)}`);
  line('  non-200 answers', String(sat.failed));
  line('raw ECDSA signatures of the TSA key (node:crypto, one core) /s', baseline.toFixed(0));
  line('ratio: timestamps / raw signatures', (sat.rate / baseline).toFixed(3));
} finally {
  agent.destroy();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
