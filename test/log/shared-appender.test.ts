import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { identityOf, TransparencyLog } from '../../src/log/index.js';
import type { HandOff, Lease } from '../../src/log/storage/hand-off.js';
import { PostgresLogStore } from '../../src/log/storage/postgres.js';
import { requireOrSkip } from '../helpers/env.js';
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

function openLog(store: PostgresLogStore, tickMs = 20) {
  return TransparencyLog.open({ store, identity, hostname: 'log.test', admit, handOff: { tickMs } });
}

/** The store as one process sees it, with its lease held at `gate` once won (to close the process right then). */
function gatedLease(store: PostgresLogStore, gate: Promise<void>, won: () => void): PostgresLogStore {
  const real = store.handOff;
  const handOff: HandOff = {
    enqueue: (e) => real.enqueue(e),
    waiting: (l, s) => real.waiting(l, s),
    markDuplicates: (r) => real.markDuplicates(r),
    collect: (r, n) => real.collect(r, n),
    withdraw: (id) => real.withdraw(id),
    sweep: (s) => real.sweep(s),
    leaderKnown: () => real.leaderKnown(),
    listen: (h) => real.listen(h),
    close: () => real.close(),
    lease: async (): Promise<Lease | undefined> => {
      const lease = await real.lease();
      if (lease) {
        won();
        await gate;
      }
      return lease;
    },
  };
  return new Proxy(store, {
    get(target, key) {
      if (key === 'handOff') return handOff;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

describe('shared appender: closing', () => {
  it('a frontend closed while it takes over the sequencer role releases the role and every session', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const s = testSchema();
    drops.push(s.drop);
    const storeA = await PostgresLogStore.open(s.url);
    const logA = await openLog(storeA);
    await logA.add({ n: 1 });

    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let won!: () => void;
    const takingOver = new Promise<void>((r) => (won = r));
    const sessionsB = namedSessions(s.url);
    const storeB = await PostgresLogStore.open(sessionsB.url);
    const logB = await openLog(gatedLease(storeB, gate, won));

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
});
