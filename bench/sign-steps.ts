/**
 * A keyless `sign-blob` against a local stack (`signet up`, spawned from dist/, its default signing config: Rekor v2
 * and the TSA), time split by step, each step as the CLI runs it: OIDC token, ephemeral key, proof of possession
 * (the CSR's part), certificate from the CA (with SCT), artifact signature, RFC 3161 timestamp, log entry, bundle
 * write. Then signBlob as a whole (signature, timestamp, log, bundle) against the sum of its steps, and the CLI end
 * to end (`signet sign-blob --signing-config ... --identity-token ...`) against `node -e 0` in the same rounds, split
 * into its phases: Node's start (to the first line of a preload), loading signet's modules (to the first request),
 * the requests (first request to last answer), the end (last answer to exit) and the exit as the parent sees it.
 *
 *   npm run build && node dist/bench/sign-steps.js      (BENCH_RUNS to tune; default 15)
 */
import { createHash, sign } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { serializeBundle } from '../src/bundle/index.js';
import { requestDevIdToken } from '../src/oidc/provider/index.js';
import {
  ephemeralKeyPair,
  hashedRekordV2Request,
  loadSigningConfig,
  proofOfPossessionChallenge,
  requestSigningCertificate,
  requireEmbeddedSct,
  servicesFromSigningConfig,
  signBlob,
  signBytes,
  uploadV2Entry,
} from '../src/sign/index.js';
import { requestTimestamp } from '../src/tsa-client/index.js';
import { signetBin } from '../test/helpers/env.js';
import { startSignet, tempDir } from '../test/helpers/process.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Preloaded into the CLI (`node --import`): when Node handed over, when the first HTTP request started and the last
 * answer ended (node:http and fetch alike, through their diagnostics channels) and when the process exited, as
 * epoch milliseconds, written to SIGNET_BENCH_PHASES at exit.
 */
const PRELOAD = `
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
const now = () => performance.timeOrigin + performance.now();
const t = { origin: performance.timeOrigin, preload: now(), firstRequest: 0, lastAnswer: 0, exit: 0 };
const start = () => { t.firstRequest ||= now(); };
const end = () => { t.lastAnswer = now(); };
subscribe('http.client.request.start', start);
subscribe('http.client.response.finish', end);
subscribe('undici:request:create', start);
subscribe('undici:request:trailers', end);
process.on('exit', () => { t.exit = now(); writeFileSync(process.env.SIGNET_BENCH_PHASES, JSON.stringify(t)); });
`;
interface Phases {
  origin: number;
  preload: number;
  firstRequest: number;
  lastAnswer: number;
  exit: number;
}

const stack = await startSignet(['up'], { env: { SIGNET_LOG_LEVEL: 'warn' }, readyPath: '/signing_config.json' });
const dir = tempDir('signet-bench-sign-steps-');
try {
  const configUrl = `${stack.url}/signing_config.json`;
  const services = servicesFromSigningConfig(await loadSigningConfig(configUrl, () => Promise.reject()), new Date());
  const { fulcioUrl, rekorUrl, tsaUrl } = services;
  if (!fulcioUrl || !rekorUrl || !tsaUrl || services.rekorApiVersion !== 2) throw new Error('unexpected services');
  const steps = ['token', 'key', 'proof of possession', 'CA (cert + SCT)', 'sign', 'timestamp', 'log', 'bundle write'];
  const times: Record<string, number[]> = Object.fromEntries(steps.map((s) => [s, []]));
  const whole: number[] = [];
  const cli: number[] = [];
  const node: number[] = [];
  const phaseNames = ['node start', 'module loading', 'requests', 'after the last answer', 'exit seen by the parent'];
  const phases: number[][] = phaseNames.map(() => []);
  const preload = join(dir, 'phases.mjs');
  writeFileSync(preload, PRELOAD);
  const phasesFile = join(dir, 'phases.json');
  let last = 0;
  const step = (name: string) => {
    const now = performance.now();
    times[name]!.push(now - last);
    last = now;
  };
  for (let i = -2; i < RUNS; i++) {
    const artifact = Buffer.from(`artifact ${i} ${Math.random()}`);
    last = performance.now();
    const token = await requestDevIdToken(`${stack.url}/oidc`, 'bench@example.com');
    step('token');
    const key = ephemeralKeyPair();
    step('key');
    sign('sha256', Buffer.from(proofOfPossessionChallenge(token)), key.privateKey);
    step('proof of possession');
    const issued = await requestSigningCertificate(fulcioUrl, token, key);
    requireEmbeddedSct(issued);
    const signer = { ...key, certificateChainPem: issued.chainPem };
    step('CA (cert + SCT)');
    const signature = signBytes(signer, artifact);
    step('sign');
    await requestTimestamp(tsaUrl, signature);
    step('timestamp');
    const digest = createHash('sha256').update(artifact).digest();
    await uploadV2Entry(rekorUrl, hashedRekordV2Request(signer, digest, signature));
    step('log');
    const signed = await signBlob(Buffer.concat([artifact, Buffer.from('w')]), signer, {
      rekorUrl,
      tsaUrl,
      rekorApiVersion: 2,
    });
    const t = performance.now();
    whole.push(t - last);
    last = t;
    await writeFile(join(dir, 'out.sigstore.json'), serializeBundle(signed.bundle));
    step('bundle write');

    writeFileSync(join(dir, 'artifact.bin'), artifact);
    const args = ['sign-blob', '--signing-config', configUrl, '--identity-token', token, '--bundle', 'b.json', '--yes'];
    let s = performance.now();
    const spawned = performance.timeOrigin + s;
    const run = spawnSync(process.execPath, ['--import', preload, signetBin, ...args, 'artifact.bin'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, SIGNET_BENCH_PHASES: phasesFile },
    });
    const ended = performance.now();
    cli.push(ended - s);
    if (run.status !== 0) throw new Error(`signet sign-blob failed: ${run.stderr}`);
    const p = JSON.parse(readFileSync(phasesFile, 'utf8')) as Phases;
    [
      p.preload - spawned,
      p.firstRequest - p.preload,
      p.lastAnswer - p.firstRequest,
      p.exit - p.lastAnswer,
      performance.timeOrigin + ended - p.exit,
    ].forEach((ms, k) => phases[k]!.push(ms));
    s = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    node.push(performance.now() - s);
    if (i < 0) for (const xs of [...Object.values(times), whole, cli, node, ...phases]) xs.length = 0; // warm-up rounds
  }
  const fmt = (ms: number) => `${ms.toFixed(1).padStart(7)} ms`;
  console.log(`keyless sign-blob against signet up at ${stack.url} (Rekor v2 + TSA), median of ${RUNS} rounds`);
  let sum = 0;
  for (const s of steps) {
    sum += median(times[s]!);
    console.log(`  ${s.padEnd(28)} ${fmt(median(times[s]!))}`);
  }
  console.log(`  ${'sum of the steps'.padEnd(28)} ${fmt(sum)}`);
  const steps3 = median(times['sign']!) + median(times['timestamp']!) + median(times['log']!);
  console.log(
    `  ${'signBlob (sign+ts+log+bundle)'.padEnd(28)} ${fmt(median(whole))}  (its steps one by one: ${steps3.toFixed(1)} ms)`,
  );
  console.log(
    `  ${'CLI sign-blob end to end'.padEnd(28)} ${fmt(median(cli))}  (node -e 0 in the same rounds: ${median(node).toFixed(1)} ms)`,
  );
  phaseNames.forEach((name, k) => console.log(`    ${name.padEnd(26)} ${fmt(median(phases[k]!))}`));
} finally {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(stack.dataDir, { recursive: true, force: true });
}
