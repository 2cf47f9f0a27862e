/**
 * CLI start: wall time of `signet --help`, `signet version` and `signet sign-blob --help` (each a new process, as a
 * user runs them) against `node -e 0` run in the same rounds, so a busy machine slows both alike. Commands load
 * only the modules they use (dynamic imports in src/cli), so help and version load no signing or verification code.
 * Prints medians, and each command's time over the bare Node start.
 *
 *   npm run build && node dist/bench/cli-start.js      (BENCH_RUNS to tune; default 15)
 */
import { spawnSync } from 'node:child_process';
import { signetBin } from '../test/helpers/env.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const commands: [string, string[]][] = [
  ['node -e 0 (baseline)', ['-e', '0']],
  ['signet --help', [signetBin, '--help']],
  ['signet version', [signetBin, 'version']],
  ['signet sign-blob --help', [signetBin, 'sign-blob', '--help']],
];

const times = commands.map(() => [] as number[]);
for (let r = 0; r < RUNS; r++) {
  commands.forEach(([label, args], i) => {
    const t = performance.now();
    const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    times[i]!.push(performance.now() - t);
    if (run.status !== 0) throw new Error(`${label} failed: ${run.stderr}`);
  });
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(times[0]!);
console.log(`CLI start, median of ${RUNS} alternating runs (wall time, new process each)`);
// Node reads and parses that whole file at every start (~40 ms for Debian's bundle), before any of signet loads.
if (process.env.NODE_EXTRA_CA_CERTS) {
  console.log(
    `  NODE_EXTRA_CA_CERTS is set (${process.env.NODE_EXTRA_CA_CERTS}): every start below includes its parse`,
  );
}
commands.forEach(([label], i) => {
  const m = median(times[i]!);
  const extra = i === 0 ? '' : `  (+${(m - base).toFixed(0)} ms over node, ${(m / base).toFixed(2)}x node -e 0)`;
  console.log(`  ${label.padEnd(26)} ${m.toFixed(0).padStart(5)} ms${extra}`);
});
