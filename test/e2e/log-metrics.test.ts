import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { requireOrSkip, signetBin } from '../helpers/env.js';
import { stopProcess, tempDir } from '../helpers/process.js';
import { startUp, type UpProcess } from '../helpers/up.js';
import { hashedRekordSigner } from '../log/server/fixtures.js';
import { post } from '../log/tiles/audit.js';
import { pgReachable, testSchema } from '../log/tiles/pg-env.js';
import { hashedRekordRequest } from '../rekor-v2/fixtures.js';

// The log engine's metrics as an operator scrapes them: real server processes, real writes, then GET /metrics.

const reachable = await pgReachable();
const cleanups: Array<() => Promise<unknown> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function scrape(url: string): Promise<string> {
  const r = await fetch(`${url}/metrics`);
  assert.equal(r.status, 200);
  return r.text();
}

/** The value of one sample (`name{labels}`), or undefined when the registry does not have it. */
function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${series} `)) return Number(line.slice(series.length + 1));
  }
  return undefined;
}

/** Starts `signet log serve` on `--port 0` and resolves with its URL once /readyz answers. */
async function logServe(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [signetBin, 'log', 'serve', '--port', '0', ...args], {
    env: { ...process.env, SIGNET_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  cleanups.push(async () => void (await stopProcess(child, 'signet log serve', 'SIGTERM', () => out)));
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`signet log serve exited early:\n${out}`);
    const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
    if (url && (await fetch(`${url}/readyz`).catch(() => undefined))?.ok) return { url, child };
    if (Date.now() > deadline) throw new Error(`signet log serve did not become ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('log engine metrics on /metrics', () => {
  it('signet up (SQLite): entries, batches, tree size and checkpoint age for the v1 and v2 logs', async () => {
    const dir = tempDir('signet-metrics-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const up: UpProcess = await startUp(['--port', '0', '--data-dir', join(dir, 'data')]);
    cleanups.push(() => up.stop());

    const before = await scrape(up.url);
    const v1Before = sample(before, 'signet_log_tree_size{log="rekor"}');
    assert.equal(v1Before, 0, 'a new log reports its empty head');

    const signer = hashedRekordSigner();
    const v1 = await Promise.all([0, 1, 2].map(() => post(up.url, signer.entry())));
    assert.deepEqual(
      v1.map((o) => o.status),
      [201, 201, 201],
    );
    for (const data of ['metrics-a', 'metrics-b']) {
      const r = await fetch(`${up.url}/api/v2/log/entries`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(hashedRekordRequest(data).request),
      });
      assert.equal(r.status, 201, await r.text());
    }

    const text = await scrape(up.url);
    assert.equal(sample(text, 'signet_log_entries_appended_total{log="rekor"}'), 3);
    assert.equal(sample(text, 'signet_log_entries_appended_total{log="rekor2"}'), 2);
    assert.equal(sample(text, 'signet_log_tree_size{log="rekor"}'), 3);
    assert.equal(sample(text, 'signet_log_tree_size{log="rekor2"}'), 2);
    // Three concurrent posts may share a batch: the histogram counts commits and sums entries.
    const batches = sample(text, 'signet_log_batch_size_count{log="rekor"}')!;
    assert.ok(batches >= 1 && batches <= 3, `batches ${batches}`);
    assert.equal(sample(text, 'signet_log_batch_size_sum{log="rekor"}'), 3);
    assert.equal(sample(text, 'signet_log_queue_depth{log="rekor"}'), 0, 'nothing left waiting');
    for (const log of ['rekor', 'rekor2']) {
      const age = sample(text, `signet_log_checkpoint_age_seconds{log="${log}"}`);
      assert.ok(age !== undefined && age >= 0 && age < 60, `checkpoint age of ${log}: ${age}`);
    }
    assert.equal(sample(text, 'signet_database_errors_total{service="log"}'), undefined, 'no storage failure');
  });

  it('PostgreSQL, two frontends: the sequencer counts every entry, the other frontend learns the tree size', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const s = testSchema();
    cleanups.push(s.drop);
    const dir = tempDir('signet-metrics-pg-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const args = ['--data-dir', dir, '--database-url', s.url];
    const a = await logServe(args);
    const b = await logServe(args);

    const signer = hashedRekordSigner();
    const n = 10;
    const outcomes = await Promise.all(
      Array.from({ length: n }, (_, i) => post(i % 2 === 0 ? a.url : b.url, signer.entry())),
    );
    assert.deepEqual(
      outcomes.map((o) => o.status),
      Array(n).fill(201),
    );

    const [ta, tb] = await Promise.all([scrape(a.url), scrape(b.url)]);
    const appended = (text: string) => sample(text, 'signet_log_entries_appended_total{log="rekor"}') ?? 0;
    assert.equal(appended(ta) + appended(tb), n, 'every entry is counted once, by the process that sequenced it');
    // Each frontend's last answer carried a head covering its own entries; the sequencer's covers all of them.
    const sizes = [ta, tb].map((text) => sample(text, 'signet_log_tree_size{log="rekor"}')!);
    assert.ok(Math.max(...sizes) === n, `tree sizes ${sizes}`);
    assert.ok(Math.min(...sizes) >= n / 2, `tree sizes ${sizes}`);
    for (const text of [ta, tb]) {
      assert.equal(sample(text, 'signet_log_queue_depth{log="rekor"}'), 0);
      assert.ok(sample(text, 'signet_log_checkpoint_age_seconds{log="rekor"}')! >= 0);
    }
  });
});
