import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { PostgresLogStore } from '../../../src/log/storage/postgres.js';
import { parseDatabaseUrl } from '../../../src/log/storage/postgres-connect.js';
import { requireOrSkip } from '../../helpers/env.js';
import { pgReachable, testSchema } from '../tiles/pg-env.js';
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
      [1],
    );
    const ids = await Promise.all(stores.map((st, i) => st.init({ treeId: String(100 + i) })));
    assert.equal(new Set(ids.map((m) => m.treeId)).size, 1);
    for (const st of stores) await st.close();
  });

  it('pending hand-off: one waiting row per leaf, outcomes, withdraw', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const s = testSchema();
    drops.push(s.drop);
    const store = await PostgresLogStore.open(s.url);
    const leaf = Buffer.alloc(32, 7);
    const row = { leafHash: leaf, body: Buffer.from('x'), indexKeys: ['k'] };
    const id = await store.enqueue(row);
    assert.ok(id);
    assert.equal(await store.enqueue(row), undefined, 'a second waiting copy is refused');
    assert.deepEqual(
      (await store.unsequenced(10)).map((r) => r.id),
      [id],
    );
    await store.markDuplicate(id!, 3);
    assert.deepEqual(await store.takeOutcomes([id!]), new Map([[id!, { logIndex: 3, duplicate: true }]]));
    const id2 = await store.enqueue(row);
    assert.equal(await store.withdraw(id2!), true);
    assert.equal((await store.unsequenced(10)).length, 0);
    await store.close();
  });
});

describe('PostgreSQL sequencer lock (readiness)', () => {
  it('tells whether some session holds the sequencer lock of this schema', async (t) => {
    if (!requireOrSkip(t, reachable, 'PostgreSQL at 127.0.0.1:5432')) return;
    const s = testSchema();
    drops.push(s.drop);
    const store = await PostgresLogStore.open(s.url);
    const classId = 0x1234;
    assert.equal(await store.lockHeld(classId), false);
    const holder = await store.pool.connect();
    await holder.query('SELECT pg_advisory_lock($1, hashtext($2))', [classId, s.schema]);
    assert.equal(await store.lockHeld(classId), true);
    assert.equal(await store.lockHeld(classId + 1), false, 'another lock class is not the sequencer');
    await holder.query('SELECT pg_advisory_unlock($1, hashtext($2))', [classId, s.schema]);
    holder.release();
    assert.equal(await store.lockHeld(classId), false);
    await store.close();
  });
});
