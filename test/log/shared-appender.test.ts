import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { isSignetError } from '../../src/errors.js';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import { createLogService, identityOf, TransparencyLog } from '../../src/log/index.js';
import type { HandOff, Lease } from '../../src/log/storage/hand-off.js';
import { PostgresLogStore } from '../../src/log/storage/postgres.js';
import { requireOrSkip } from '../helpers/env.js';
import { tempDir } from '../helpers/process.js';
import { namedSessions, pgReachable, testSchema } from './tiles/pg-env.js';

const reachable = await pgReachable();
const drops: Array<() => Promise<void>> = [];
after(async () => {
  for (const d of drops) await d();
});

const identity = identityOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
const admit = async (p: unknown) => ({
  kind: 'test',
  apiVersion: '0.0.1',
  body: Buffer.from(JSON.stringify(p)),
  indexKeys: [],
});

function openLog(store: PostgresLogStore, waitTimeoutMs?: number) {
  return TransparencyLog.open({ store, identity, hostname: 'log.test', admit, handOff: { tickMs: 20, waitTimeoutMs } });
}

/** The store as one process sees it, with some of its hand-off calls replaced. */
function withHandOff(store: PostgresLogStore, replace: Partial<HandOff>): PostgresLogStore {
  const real = store.handOff;
  const handOff: HandOff = {
    enqueue: (e) => real.enqueue(e),
    waiting: (l, s) => real.waiting(l, s),
    markDuplicates: (r) => real.markDuplicates(r),
    collect: (r, n) => real.collect(r, n),
    withdraw: (id) => real.withdraw(id),
    sweep: (s) => real.sweep(s),
    lease: () => real.lease(),
    leaderKnown: () => real.leaderKnown(),
    listen: (h) => real.listen(h),
    close: () => real.close(),
    ...replace,
  };
  return overriding(store, { handOff });
}

/** The store with some members replaced (its own methods stay bound to it: they use private fields). */
function overriding(store: PostgresLogStore, members: Partial<Record<keyof PostgresLogStore, unknown>>) {
  return new Proxy(store, {
    get(target, key) {
      if (Object.hasOwn(members, key)) return members[key as keyof PostgresLogStore];
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

/** A fresh log whose process A holds the sequencer role, with one entry logged. */
async function sequencerWithOneEntry() {
  const s = testSchema();
  drops.push(s.drop);
  const storeA = await PostgresLogStore.open(s.url);
  const logA = await openLog(storeA);
  await logA.add({ n: 1 });
  return { s, storeA, logA };
}

describe('shared appender: closing', () => {
  it('a frontend closed while it takes over the sequencer role releases the role and every session', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const { s, storeA, logA } = await sequencerWithOneEntry();

    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let won!: () => void;
    const takingOver = new Promise<void>((r) => (won = r));
    const sessionsB = namedSessions(s.url);
    const storeB = await PostgresLogStore.open(sessionsB.url);
    // B's lease, once won, is held at the gate: B is closed right then.
    const lease = async (): Promise<Lease | undefined> => {
      const l = await storeB.handOff.lease();
      if (l) {
        won();
        await gate;
      }
      return l;
    };
    const logB = await openLog(withHandOff(storeB, { lease }));

    // The sequencer stops; B's next tick wins the role, and B is told to close before it has taken it up.
    await logA.close();
    await storeA.close();
    await takingOver;
    const closing = logB.close();
    open();
    await closing;
    await storeB.close();
    assert.equal(await sessionsB.count(), 0, 'the closed process keeps no database session');

    const observer = await PostgresLogStore.open(s.url);
    try {
      assert.equal(await observer.handOff.leaderKnown(), false, 'no session still holds the sequencer role');
    } finally {
      await observer.close();
    }
  });

  it('a frontend stopped while the database is unreachable answers its waiting entries 503 and stops', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const { s, storeA, logA } = await sequencerWithOneEntry();
    await logA.close();
    await storeA.close();

    // B queues its entry, then loses the database for everything after: outcomes and withdrawals fail.
    const storeB = await PostgresLogStore.open(s.url);
    const down = () => Promise.reject(new Error('Connection terminated unexpectedly'));
    const logB = await openLog(
      withHandOff(storeB, { lease: async () => undefined, collect: down, withdraw: down }),
      200,
    );
    const adding = logB.add({ n: 2 }).then(
      () => 'logged',
      (e: unknown) => e,
    );
    let timer: NodeJS.Timeout | undefined;
    const hung = new Promise((r) => (timer = setTimeout(r, 20_000, 'still stopping after 20 s')));
    assert.equal(await Promise.race([logB.close().then(() => 'stopped'), hung]), 'stopped');
    clearTimeout(timer);
    assert.ok(isSignetError(await adding, 'pushback'), 'its entry is answered 503: its fate is unknown');
    await storeB.close();
  });

  it('a log service whose start fails after its appender opened closes it and keeps no session', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const s = testSchema();
    drops.push(s.drop);
    const sessions = namedSessions(s.url);
    const store = await PostgresLogStore.open(sessions.url);
    // The witness cosignatures are read last, after the appender took the sequencer role: that read fails.
    const failing = overriding(store, {
      cosignatures: () => Promise.reject(new Error('Connection terminated unexpectedly')),
    });
    const dataDir = tempDir('signet-failed-start-');
    try {
      await assert.rejects(
        createLogService(
          { dataDir, publicUrl: 'http://log.test', logger: pino({ level: 'silent' }) },
          { store: failing },
        ),
        /Connection terminated/,
      );
      assert.equal(await sessions.count(), 0, 'no session (no sequencer lease) is left open');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
