import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Outcome } from '../../../src/log/storage/hand-off.js';
import { PostgresLogStore } from '../../../src/log/storage/postgres.js';
import { parseDatabaseUrl } from '../../../src/log/storage/postgres-connect.js';
import { requireOrSkip } from '../../helpers/env.js';
import { namedSessions, pgReachable, testSchema } from '../tiles/pg-env.js';
import { storeConformance } from './conformance.js';

const reachable = await pgReachable();
const drops: Array<() => Promise<void>> = [];
after(async () => {
  for (const d of drops) await d();
});

if (reachable) {
  storeConformance('postgres', async () => {
    const s = testSchema();
    drops.push(s.drop);
    return { store: await PostgresLogStore.open(s.url), reopen: () => PostgresLogStore.open(s.url) };
  });
} else {
  it('LogStore conformance: postgres', (t) => void requireOrSkip(t, false, 'PostgreSQL at 127.0.0.1:5432'));
}

describe('PostgreSQL store specifics', () => {
  it('parses schema from ?schema= and from options=-c search_path=, rejects bad names and schemes', () => {
    assert.equal(parseDatabaseUrl('postgres://u@h/db?schema=abc').schema, 'abc');
    assert.equal(parseDatabaseUrl('postgres://u@h/db?options=-c%20search_path%3Dxyz').schema, 'xyz');
    assert.equal(parseDatabaseUrl('postgresql://u@h/db').schema, 'public');
    assert.doesNotMatch(String(parseDatabaseUrl('postgres://u@h/db?schema=abc').config.connectionString), /schema=/);
    assert.throws(() => parseDatabaseUrl('postgres://u@h/db?schema=a;drop'), /schema name/);
    assert.throws(() => parseDatabaseUrl('mysql://u@h/db'), /postgres/);
    assert.throws(() => parseDatabaseUrl('not a url'), /not a URL/);
  });

  it('migrates exactly once under concurrent starts', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const s = testSchema();
    drops.push(s.drop);
    const stores = await Promise.all(Array.from({ length: 5 }, () => PostgresLogStore.open(s.url)));
    const { rows } = await stores[0]!.pool.query('SELECT version FROM schema_migrations ORDER BY version');
    assert.deepEqual(
      rows.map((r: { version: number }) => r.version),
      [1, 2, 3],
    );
    const ids = await Promise.all(stores.map((st, i) => st.init({ treeId: String(100 + i) })));
    assert.equal(new Set(ids.map((m) => m.treeId)).size, 1);
    for (const st of stores) await st.close();
  });

  it('hand-off queue: ordered ids, duplicates allowed, claims, outcomes with the head, withdraw', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const s = testSchema();
    drops.push(s.drop);
    const store = await PostgresLogStore.open(s.url);
    const q = store.handOff;
    const row = (n: number) => ({ leafHash: Buffer.alloc(32, n), body: Buffer.from(`b${n}`), indexKeys: [`k${n}`] });
    const ids = await q.enqueue([row(1), row(2), row(1)]);
    assert.equal(ids.length, 3);
    assert.ok(Number(ids[0]) < Number(ids[1]) && Number(ids[1]) < Number(ids[2]), 'ids follow the input order');
    const waiting = await q.waiting(10);
    assert.deepEqual(
      waiting.map((r) => [r.id, r.body.toString()]),
      [
        [ids[0], 'b1'],
        [ids[1], 'b2'],
        [ids[2], 'b1'],
      ],
    );
    // The sequencer's batch consumes row 0 and marks row 2 a duplicate of it.
    const head = { size: 1, rootHash: Buffer.alloc(32, 9), checkpoint: 'cp 1\n' };
    const entry = {
      logIndex: 0,
      leafHash: row(1).leafHash,
      integratedTime: 5,
      body: row(1).body,
      signedEntryTimestamp: Buffer.from('set'),
      indexKeys: ['k1'],
    };
    await store.appendBatch({ entries: [entry], nodes: [], head, claims: [{ id: ids[0]!, logIndex: 0 }] });
    await q.markDuplicates([{ id: ids[2]!, logIndex: 0 }]);
    const asked = ids.map((id, i) => ({ id, leafHash: row([1, 2, 1][i]!).leafHash }));
    const got = await q.collect(asked, 0);
    assert.deepEqual(got.head, head);
    assert.deepEqual(got.nodes, [{ level: 0, index: 0, hash: row(1).leafHash }], 'the tree nodes since size 0');
    const sequenced: Outcome = {
      duplicate: false,
      logIndex: 0,
      integratedTime: 5,
      signedEntryTimestamp: Buffer.from('set'),
    };
    assert.deepEqual(
      got.outcomes,
      new Map<string, Outcome>([
        [ids[0]!, sequenced],
        [ids[2]!, { duplicate: true, logIndex: 0 }],
      ]),
    );
    const again = await q.collect(asked, 1);
    assert.deepEqual(again.outcomes, got.outcomes, 'collecting is a read: same outcomes again');
    assert.deepEqual(again.nodes, [], 'no node completed since size 1');
    // A withdrawn row can no longer be claimed: the batch that tries is rejected whole.
    assert.equal(await q.withdraw(ids[1]!), true);
    assert.equal(await q.withdraw(ids[1]!), false);
    const head2 = { size: 2, rootHash: Buffer.alloc(32, 8), checkpoint: 'cp 2\n' };
    const entry2 = { ...entry, logIndex: 1, leafHash: row(2).leafHash, body: row(2).body };
    await assert.rejects(
      store.appendBatch({ entries: [entry2], nodes: [], head: head2, claims: [{ id: ids[1]!, logIndex: 1 }] }),
      /still waiting/,
    );
    assert.equal((await store.head())?.size, 1);
    // Nodes since a size: the leaves after it, then each level's newly complete nodes, in order.
    const more = [1, 2, 3, 4].map((i) => ({ ...entry, logIndex: i, leafHash: Buffer.alloc(32, 20 + i) }));
    const inner = [
      { level: 1, index: 0, hash: Buffer.alloc(32, 40) },
      { level: 1, index: 1, hash: Buffer.alloc(32, 41) },
      { level: 2, index: 0, hash: Buffer.alloc(32, 42) },
    ];
    const head5 = { size: 5, rootHash: Buffer.alloc(32, 7), checkpoint: 'cp 5\n' };
    await store.appendBatch({ entries: more, nodes: inner, head: head5 });
    assert.deepEqual((await q.collect([], 1)).nodes, [
      ...more.map((e) => ({ level: 0, index: e.logIndex, hash: e.leafHash })),
      ...inner,
    ]);
    await store.close();
  });
});

describe('PostgreSQL sequencer lease', () => {
  it('one holder per schema; known to others; released on end or session loss', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const s = testSchema();
    drops.push(s.drop);
    const other = testSchema();
    drops.push(other.drop);
    const [a, b, c] = await Promise.all([s.url, s.url, other.url].map((u) => PostgresLogStore.open(u)));
    assert.equal(await a!.handOff.leaderKnown(), false);
    const lease = await a!.handOff.lease();
    assert.ok(lease);
    assert.equal(await b!.handOff.lease(), undefined, 'a second process does not get the role');
    assert.equal(await b!.handOff.leaderKnown(), true);
    assert.equal(await c!.handOff.leaderKnown(), false, 'another log (schema) has its own role');
    let lost = false;
    lease.onLost(() => (lost = true));
    await lease.release();
    assert.equal(lost, false, 'a release is not a loss');
    const next = await b!.handOff.lease();
    assert.ok(next, 'the role is free again');
    // Kill the holder's session from outside: the lease reports the loss and the role frees up.
    next.onLost(() => (lost = true));
    await a!.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = hashtext($1)::oid`,
      [s.schema],
    );
    for (let i = 0; i < 100 && !lost; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(lost, true);
    assert.equal(await a!.handOff.leaderKnown(), false);
    for (const st of [a, b, c]) await st!.close();
  });

  it('a close while the listener or a lease candidate connects leaves no session behind', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const s = testSchema();
    drops.push(s.drop);
    const sessions = namedSessions(s.url);
    const store = await PostgresLogStore.open(sessions.url);
    // Both start connecting, then the store closes before either session is up.
    const listening = store.handOff.listen({ onWaiting: () => undefined, onSequenced: () => undefined });
    const leasing = store.handOff.lease();
    await store.close();
    await listening.catch(() => undefined);
    const lease = await leasing.catch(() => undefined);
    assert.equal(lease, undefined, 'a closed hand-off takes no role');
    assert.equal(await sessions.count(), 0);
  });
});
