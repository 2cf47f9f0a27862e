/**
 * Monitor throughput: `npm run build && node dist/bench/monitor.js [--entries 100000] [--data-dir DIR]`.
 * Builds a log of N entries with bench/bulk-load (or reuses DIR), serves it with `signet log serve`, and times
 * `signet monitor --once --start-index 0` (a separate process, as a user runs it) reading every entry through the
 * tiles API and through the Rekor v1 API: entries checked/s. Baseline, same run: the per-entry work alone
 * (leaf hash + decoding and watch-list matching) over the same bodies in this process.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { leafHash } from '../src/merkle/index.js';
import { entryFacts, matchEntry, parseWatchList } from '../src/monitor/index.js';

const { values } = parseArgs({
  options: { entries: { type: 'string', default: '100000' }, 'data-dir': { type: 'string' } },
});
const ENTRIES = Number(values.entries);
const here = fileURLToPath(new URL('.', import.meta.url));
const signetBin = fileURLToPath(new URL('../../bin/signet.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'signet-bench-monitor-'));
const dataDir = values['data-dir'] ?? join(work, 'log');

if (!existsSync(join(dataDir, 'log.db'))) {
  console.log(`building a log of ${ENTRIES} entries in ${dataDir} (bench/bulk-load)...`);
  const built = spawnSync(
    process.execPath,
    [join(here, 'bulk-load.js'), '--count', String(ENTRIES), '--data-dir', dataDir],
    {
      stdio: 'inherit',
    },
  );
  if (built.status !== 0) throw new Error('bulk-load failed');
}

const port = 20000 + Math.floor(Math.random() * 20000);
const url = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [signetBin, 'log', 'serve', '--port', String(port), '--data-dir', dataDir], {
  stdio: 'ignore',
  env: { ...process.env, SIGNET_LOG_LEVEL: 'warn' },
});
try {
  await waitFor(`${url}/api/v1/log`);
  const size = ((await (await fetch(`${url}/api/v1/log`)).json()) as { treeSize: number }).treeSize;
  writeFileSync(join(work, 'log.pem'), await (await fetch(`${url}/api/v1/log/publicKey`)).text());
  const watch = { fingerprints: ['00'.repeat(32)], identities: [{ subject: 'nobody@example.com' }] };
  writeFileSync(join(work, 'watch.json'), JSON.stringify(watch));

  const baseline = matchingRate(await bodies(url, Math.min(size, 25_600)), parseWatchList(watch));
  console.log(`baseline: leaf hash + decode + match in process: ${baseline.toFixed(0)} entries/s`);
  for (const api of ['tiles', 'rekor-v1']) {
    const t0 = performance.now();
    const r = spawnSync(
      process.execPath,
      [
        signetBin,
        'monitor',
        '--url',
        url,
        '--api',
        api,
        '--public-key',
        join(work, 'log.pem'),
        '--once',
        '--start-index',
        '0',
        '--state-dir',
        join(work, `state-${api}`),
        '--config',
        join(work, 'watch.json'),
      ],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    const seconds = (performance.now() - t0) / 1000;
    if (r.status !== 0) throw new Error(`monitor --api ${api} exited ${r.status}: ${r.stderr}`);
    const rate = size / seconds;
    console.log(
      `monitor --api ${api}: ${size} entries proven and matched in ${seconds.toFixed(1)} s = ${rate.toFixed(0)} entries/s ` +
        `(${(rate / baseline).toFixed(2)}x the in-process matching baseline)`,
    );
  }
} finally {
  server.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}

/** The first `n` entry bodies, read through the tiles API. */
async function bodies(base: string, n: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let bundle = 0; out.length < n; bundle++) {
    const res = await fetch(`${base}/tile/entries/${String(bundle).padStart(3, '0')}`);
    if (res.status !== 200) break;
    const b = Buffer.from(await res.arrayBuffer());
    for (let at = 0; at < b.length;) {
      const len = b.readUInt16BE(at);
      out.push(b.subarray(at + 2, at + 2 + len));
      at += 2 + len;
    }
  }
  return out.slice(0, n);
}

function matchingRate(list: Buffer[], watch: ReturnType<typeof parseWatchList>): number {
  const t0 = performance.now();
  for (let round = 0; round < 3; round++) {
    for (const body of list) {
      leafHash(body);
      matchEntry(entryFacts(body), watch);
    }
  }
  return (3 * list.length) / ((performance.now() - t0) / 1000);
}

async function waitFor(target: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(target)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${target} did not answer`);
}
