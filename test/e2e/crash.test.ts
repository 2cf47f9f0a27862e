import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { requireOrSkip } from '../helpers/env.js';
import { startSignet, tempDir, type RunningStack } from '../helpers/process.js';
import { auditLog, burst, type Outcome } from '../log/tiles/audit.js';
import { pgReachable, testSchema } from '../log/tiles/pg-env.js';

const reachable = await pgReachable();
const cleanups: Array<() => Promise<unknown> | void> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** Kills a child and waits for it (a child already dead has exitCode or signalCode set). */
function kill(s: RunningStack, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
    s.child.once('exit', () => resolve());
    s.child.kill(signal);
  });
}

async function serve(dataDir: string, extra: string[] = [], port?: number): Promise<RunningStack> {
  const s = await startSignet(['log', 'serve', '--public-url', 'http://log.test', ...extra], { dataDir, port });
  cleanups.push(() => kill(s));
  return s;
}

/** kill -9 the only process mid-burst, restart it on the same storage, audit. */
async function crashOnce(extra: string[]) {
  const dataDir = tempDir('signet-crash-');
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const a = await serve(dataDir, extra);
  const seen: Array<{ size: number; root: string }> = [];
  let killed = false;
  const results = await burst(
    () => [a.url],
    400,
    16,
    (o, done) => {
      if (o.checkpoint) seen.push(o.checkpoint);
      if (done === 150 && !killed) {
        killed = true;
        a.child.kill('SIGKILL');
      }
    },
  );
  await kill(a);
  const ok = results.filter((o) => o.status === 201);
  const statuses = results.filter((o) => o.status !== 201).map((o) => `${o.status} ${JSON.stringify(o.body)}`);
  assert.ok(ok.length >= 140, `${ok.length} acknowledged before the crash; others: ${statuses.slice(0, 5).join('; ')}`);
  assert.ok(
    results.some((o) => o.status === 'network-error'),
    'some requests were cut off by the crash',
  );
  const b = await serve(dataDir, extra, a.port);
  const { size } = await auditLog(b.url, ok, seen);
  assert.ok(size >= ok.length);
  // The restarted log keeps taking writes on top of the recovered tree.
  const more = await burst(() => [b.url], 20, 4);
  assert.ok(more.every((o) => o.status === 201));
  await auditLog(b.url, [...ok, ...more], [...seen, ...more.map((o) => o.checkpoint!)]);
  await kill(b, 'SIGTERM');
}

describe('crash safety: kill -9 in the middle of a write burst', () => {
  it('SQLite: every acknowledged entry survives with a valid proof; the tree extends every checkpoint served', async () => {
    await crashOnce([]);
  });

  it('PostgreSQL: the same after kill -9 of the only frontend (also the sequencer)', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const s = testSchema();
    cleanups.push(s.drop);
    await crashOnce(['--database-url', s.url]);
  });

  it('PostgreSQL, two frontends: kill -9 the sequencer, the other takes over; nothing lost or sequenced twice', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const s = testSchema();
    cleanups.push(s.drop);
    const dataDir = tempDir('signet-crash-');
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const a = await serve(dataDir, ['--database-url', s.url]); // first up: holds the sequencer lock
    const b = await serve(dataDir, ['--database-url', s.url]);
    const seen: Array<{ size: number; root: string }> = [];
    let targets = [a.url, b.url];
    const results: Outcome[] = await burst(
      () => targets,
      400,
      16,
      (o, done) => {
        if (o.checkpoint) seen.push(o.checkpoint);
        if (done === 120 && targets.length === 2) {
          a.child.kill('SIGKILL');
          targets = [b.url];
        }
      },
    );
    const ok = results.filter((o) => o.status === 201);
    const afterKill = results.slice(140).filter((o) => o.status === 201);
    assert.ok(afterKill.length > 100, `frontend b kept acknowledging writes after the takeover (${afterKill.length})`);
    for (const o of results) {
      if (o.status !== 201) {
        assert.ok(o.status === 'network-error' || o.status === 503, `${JSON.stringify(o)}\n${b.output().slice(-3000)}`);
      }
    }
    await auditLog(b.url, ok, seen);
    const a2 = await serve(dataDir, ['--database-url', s.url], a.port);
    await auditLog(a2.url, ok, seen);
  });
});
