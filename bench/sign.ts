/**
 * Blob signing against a local stack (`signet up`, spawned from dist/): wall time per artifact for
 *   - `signet sign-blob --key` as a user runs it (process start, scrypt key decryption, tlog upload, bundle write),
 *   - the same signing in process (signBlob: sign + hashedrekord upload + bundle), key-based and keyless
 *     (ephemeral key, certificate from the CA with its SCT, upload),
 * next to the floor: one raw P-256 signature.
 *
 *   npm run build && node dist/bench/sign.js      (BENCH_SECONDS, BENCH_CLI_RUNS to tune)
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keylessSigner, signBlob, signerFromPrivateKey } from '../src/sign/index.js';
import { requestDevIdToken } from '../src/oidc/provider/index.js';
import { signetBin } from '../test/helpers/env.js';
import { startSignet, tempDir } from '../test/helpers/process.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CLI_RUNS = Number(process.env.BENCH_CLI_RUNS ?? 5);
const artifact = Buffer.alloc(1024, 'a');

/** Runs `fn` sequentially for SECONDS; returns mean milliseconds per call. */
async function timePerCall(fn: (i: number) => Promise<unknown> | unknown): Promise<{ ms: number; n: number }> {
  for (let i = 0; i < 3; i++) await fn(-1 - i); // warm up connections and JIT
  const start = performance.now();
  const end = start + SECONDS * 1000;
  let n = 0;
  while (performance.now() < end) await fn(n++);
  return { ms: (performance.now() - start) / n, n };
}

function cliRuns(args: string[], cwd: string, env: Record<string, string>): number {
  const times: number[] = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    writeFileSync(join(cwd, 'artifact.bin'), `${i}`.repeat(100));
    const t = performance.now();
    const r = spawnSync(process.execPath, [signetBin, ...args], { cwd, env: { ...process.env, ...env } });
    times.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`signet ${args.join(' ')} failed: ${r.stderr}`);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

const stack = await startSignet(['up'], { env: { SIGNET_LOG_LEVEL: 'warn' }, readyPath: '/signing_config.json' });
const dir = tempDir('signet-bench-sign-');
try {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const raw = await timePerCall(() => sign('sha256', artifact, key));
  const signer = signerFromPrivateKey(key);
  const keyed = await timePerCall((i) =>
    signBlob(Buffer.concat([artifact, Buffer.from(String(i))]), signer, { rekorUrl: stack.url }),
  );
  const token = await requestDevIdToken(`${stack.url}/oidc`, 'bench@example.com');
  const keyless = await timePerCall(async (i) => {
    const s = await keylessSigner(stack.url, token);
    return signBlob(Buffer.concat([artifact, Buffer.from(`k${i}`)]), s, { rekorUrl: stack.url });
  });
  const env = { COSIGN_PASSWORD: 'bench', SIGNET_LOG_LEVEL: 'warn' };
  cliRuns(['generate-key-pair', '-f'], dir, env);
  const common = ['--rekor-url', stack.url, '--bundle', 'out.json', 'artifact.bin'];
  const cliKey = cliRuns(['sign-blob', '--key', 'cosign.key', ...common], dir, env);
  const cliKeyless = cliRuns(['sign-blob', '--fulcio-url', stack.url, '--identity-token', token, ...common], dir, env);
  const cliStart = cliRuns(['--version'], dir, env);

  console.log(`blob signing against signet up at ${stack.url} (1 KiB artifacts, sequential)`);
  console.log(`  raw P-256 sign (floor)                  ${fmt(raw.ms)} per signature (${raw.n} runs)`);
  console.log(
    `  signBlob key-based + tlog upload        ${fmt(keyed.ms)} per artifact (${keyed.n} runs), ${(keyed.ms / raw.ms).toFixed(0)}x raw`,
  );
  console.log(`  keyless: ephemeral key + cert + upload  ${fmt(keyless.ms)} per artifact (${keyless.n} runs)`);
  console.log(`  CLI: signet --version (process start)   ${fmt(cliStart)} median of ${CLI_RUNS}`);
  console.log(
    `  CLI: sign-blob --key cosign.key         ${fmt(cliKey)} median of ${CLI_RUNS} (includes scrypt N=65536)`,
  );
  console.log(`  CLI: sign-blob keyless --identity-token ${fmt(cliKeyless)} median of ${CLI_RUNS}`);
} finally {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(stack.dataDir, { recursive: true, force: true });
}
