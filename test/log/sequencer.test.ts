import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { isSignetError } from '../../src/errors.js';
import {
  identityOf,
  MemoryLogStore,
  TransparencyLog,
  type Batch,
  type EntryWithProof,
  type TransparencyLogOptions,
} from '../../src/log/index.js';
import { signEntryTimestamp } from '../../src/log/set.js';
import type { LogMetrics } from '../../src/metrics/index.js';
import { StoredLeafError } from '../../src/log/storage/store.js';
import { verifyConsistency, verifyInclusion } from '../../src/merkle/index.js';
import { checkCheckpoint, checkSet, oracleLeafHash, oracleRoot } from './server/fixtures.js';

const identity = identityOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);

/** Admission stub: the tests here are about sequencing, so any JSON value is its own canonical body. */
const admit = async (p: unknown) => ({
  kind: 'test',
  apiVersion: '0.0.1',
  body: Buffer.from(JSON.stringify(p)),
  indexKeys: [`k:${JSON.stringify(p)}`.toLowerCase()],
});

async function openLog(
  store = new MemoryLogStore(),
  extra: Pick<TransparencyLogOptions, 'maxPending' | 'maxBatch' | 'metrics' | 'sealSets'> = {},
) {
  const log = await TransparencyLog.open({
    store,
    identity,
    hostname: 'log.test',
    admit,
    clock: () => 1.7e12,
    ...extra,
  });
  return { log, store };
}

/** Every returned entry must verify against the checkpoint of its batch, with a valid SET and signed note. */
function checkReturned(e: EntryWithProof): void {
  const cp = checkCheckpoint(e.proof.checkpoint, identity.publicKey, identity.logId);
  assert.equal(cp.size, e.proof.treeSize);
  assert.deepEqual(cp.rootHash, e.proof.rootHash);
  assert.ok(cp.origin.startsWith('log.test - '));
  assert.equal(cp.name, 'log.test');
  const leaf = oracleLeafHash(e.entry.body);
  assert.deepEqual(e.entry.leafHash, leaf);
  assert.ok(verifyInclusion(leaf, e.proof.logIndex, e.proof.treeSize, e.proof.hashes, e.proof.rootHash));
  const wire = {
    body: e.entry.body.toString('base64'),
    integratedTime: e.entry.integratedTime,
    logID: identity.logId,
    logIndex: e.entry.logIndex,
  };
  assert.ok(checkSet(wire, e.entry.signedEntryTimestamp, identity.publicKey));
}

/** Re-verifies the whole tree: the head's root, every entry's current proof, consistency from the last head. */
async function checkTree(log: TransparencyLog, bodies: Buffer[], previous?: { size: number; root: Buffer }) {
  const { head } = log.info();
  assert.equal(head.size, bodies.length);
  assert.deepEqual(head.rootHash, oracleRoot(bodies.map(oracleLeafHash)));
  checkCheckpoint(head.checkpoint, identity.publicKey, identity.logId);
  for (const e of await log.entriesByIndex(bodies.map((_, i) => i))) {
    assert.deepEqual(e.entry.body, bodies[e.entry.logIndex]);
    assert.ok(verifyInclusion(e.entry.leafHash, e.proof.logIndex, e.proof.treeSize, e.proof.hashes, head.rootHash));
  }
  if (previous && previous.size > 0 && previous.size < head.size) {
    const p = await log.consistency(previous.size, head.size);
    assert.deepEqual(p.rootHash, head.rootHash);
    assert.ok(verifyConsistency(previous.size, head.size, p.hashes, previous.root, head.rootHash));
  }
  return { size: head.size, root: head.rootHash };
}

/** Rejects a stored leaf at write time, as PostgreSQL's unique index does; counts the reads of stored leaves. */
class CheckingStore extends MemoryLogStore {
  readonly checksLeaves = true;
  reads = 0;
  /** Writes wait for this gate; `writing` resolves when the first one reaches it. */
  gate: Promise<void> | undefined;
  #started: (() => void) | undefined;
  readonly writing = new Promise<void>((resolve) => (this.#started = resolve));
  override async indexesByLeafHash(leafHashes: Buffer[]) {
    this.reads++;
    return super.indexesByLeafHash(leafHashes);
  }
  override async appendBatch(batch: Batch) {
    this.#started?.();
    if (this.gate) await this.gate;
    const stored = await super.indexesByLeafHash(batch.entries.map((e) => e.leafHash));
    if (stored.size > 0) throw new StoredLeafError();
    return super.appendBatch(batch);
  }
}

describe('sequencer', () => {
  it('batches concurrent adds; every proof verifies; the tree stays consistent wave after wave', async () => {
    const { log } = await openLog(undefined, { maxBatch: 64 });
    const bodies: Buffer[] = [];
    let previous: { size: number; root: Buffer } | undefined;
    for (const wave of [1, 2, 5, 63, 64, 65, 200, 3]) {
      const items = Array.from({ length: wave }, () => randomBytes(8).toString('hex'));
      const results = await Promise.all(items.map((x) => log.add(x)));
      for (const r of results) {
        checkReturned(r);
        bodies[r.entry.logIndex] = r.entry.body;
      }
      // A wave of 200 with batches of at most 64 needs several checkpoints.
      const sizes = new Set(results.map((r) => r.proof.treeSize));
      assert.ok(sizes.size >= Math.ceil(wave / 64));
      previous = await checkTree(log, bodies, previous);
    }
    await log.close();
  });

  it('answers conflict for a duplicate, in the log or in the same batch', async () => {
    const { log } = await openLog();
    const [a, b] = await Promise.allSettled([log.add('same'), log.add('same')]);
    const ok = [a, b].filter((r) => r.status === 'fulfilled');
    const bad = [a, b].filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    assert.equal(ok.length, 1);
    assert.equal(bad.length, 1);
    assert.ok(isSignetError(bad[0]!.reason, 'conflict'));
    const id = (ok[0] as PromiseFulfilledResult<EntryWithProof>).value.entryId;
    assert.equal(bad[0]!.reason.detail.entryId, id);
    await assert.rejects(log.add('same'), (e) => isSignetError(e, 'conflict') && e.message.includes(id));
    assert.equal(log.info().head.size, 1);
    await log.close();
  });

  it('a store that checks leaves itself: written without a read first; a logged leaf redoes the batch with one', async () => {
    const store = new CheckingStore();
    const { log } = await openLog(store);
    const first = await Promise.all(['a', 'b'].map((x) => log.add(x)));
    assert.equal(store.reads, 0, 'no read of stored leaves while nothing is a duplicate');
    const [again, fresh] = await Promise.allSettled([log.add('a'), log.add('c')]);
    assert.equal(again.status, 'rejected');
    assert.ok(isSignetError(again.reason, 'conflict') && again.reason.detail.entryId === first[0]!.entryId);
    assert.equal(fresh.status, 'fulfilled');
    checkReturned(fresh.value);
    assert.equal(fresh.value.entry.logIndex, 2, 'the rest of the batch goes in, at the next index');
    assert.equal(store.reads, 1);
    await checkTree(
      log,
      ['a', 'b', 'c'].map((x) => Buffer.from(JSON.stringify(x))),
    );
    await log.close();
  });

  it('prepares a batch while the one before is written; a failed write sends it back to be placed again', async () => {
    const store = new CheckingStore();
    let seals = 0;
    const { log } = await openLog(store, {
      sealSets: async (id, batch) => {
        seals++;
        return batch.map((e) => signEntryTimestamp(id, e));
      },
    });
    let release!: () => void;
    store.gate = new Promise((resolve) => (release = resolve));
    store.failNextAppend();
    const first = Array.from({ length: 5 }, (_, i) => log.add(`f${i}`));
    await store.writing; // the first batch is being written
    const second = ['s0', 's1', 's2', 's3', 's4'];
    const added = second.map((x) => log.add(x));
    for (let turns = 0; seals < 2 && turns < 100; turns++) await new Promise((r) => setImmediate(r));
    assert.equal(seals, 2, 'the second batch is prepared (sealed) while the first is still being written');
    release();
    for (const r of await Promise.allSettled(first)) assert.equal(r.status, 'rejected');
    const results = await Promise.all(added);
    assert.deepEqual(
      results.map((r) => r.entry.logIndex),
      [0, 1, 2, 3, 4],
      'placed again from the committed tree, not on top of the failed batch',
    );
    for (const r of results) checkReturned(r);
    assert.equal(seals, 3, 'and sealed again once the first failed');
    await checkTree(
      log,
      second.map((x) => Buffer.from(JSON.stringify(x))),
    );
    await log.close();
  });

  it('a write that failed here but committed in the store: the tree goes on from the stored head', async () => {
    /** Commits the next batch, then reports a failure (an answer lost on its way back). */
    class AmbiguousStore extends MemoryLogStore {
      lose = false;
      override async appendBatch(batch: Batch) {
        await super.appendBatch(batch);
        if (this.lose) {
          this.lose = false;
          throw new Error('connection lost after commit');
        }
      }
    }
    const store = new AmbiguousStore();
    const { log } = await openLog(store);
    await log.add('a');
    store.lose = true;
    await assert.rejects(log.add('b'));
    const c = await log.add('c');
    assert.equal(c.entry.logIndex, 2, 'after the entry that was committed after all');
    checkReturned(c);
    await assert.rejects(log.add('b'), (e) => isSignetError(e, 'conflict'));
    await checkTree(
      log,
      ['a', 'b', 'c'].map((x) => Buffer.from(JSON.stringify(x))),
    );
    await log.close();
  });

  it('pushes back when the queue is full', async () => {
    const { log } = await openLog(undefined, { maxPending: 5 });
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => log.add(`p${i}`)));
    const rejected = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[];
    assert.equal(rejected.length, 7);
    for (const r of rejected) assert.ok(isSignetError(r.reason, 'pushback'));
    assert.equal(log.info().head.size, 5);
    await log.close();
  });

  it('fails a batch whose commit fails, writes none of it, and carries on', async () => {
    const { log, store } = await openLog();
    await log.add('before');
    store.failNextAppend();
    const failed = await Promise.allSettled([log.add('lost-1'), log.add('lost-2')]);
    for (const r of failed) assert.ok(r.status === 'rejected' && isSignetError(r.reason, 'internal'));
    assert.equal(log.info().head.size, 1);
    const after = await log.add('after');
    checkReturned(after);
    assert.equal(after.entry.logIndex, 1);
    await checkTree(log, [Buffer.from('"before"'), Buffer.from('"after"')]);
    // The failed entries were never logged, so they can be submitted again.
    checkReturned(await log.add('lost-1'));
    await log.close();
  });

  it('reports batches, queue depth, heads and failed commits to its metrics', async () => {
    const seen = { batches: [] as number[], depths: [] as number[], heads: [] as number[], errors: 0 };
    const metrics: LogMetrics = {
      batchWritten: (n) => seen.batches.push(n),
      queueDepth: (n) => seen.depths.push(n),
      treeHead: (size) => seen.heads.push(size),
      databaseError: () => seen.errors++,
    };
    const { log, store } = await openLog(new MemoryLogStore(), { metrics });
    assert.deepEqual(seen.heads, [0], 'the head it starts from');
    await Promise.all(['a', 'b', 'c'].map((x) => log.add(x)));
    assert.deepEqual(seen.batches, [3], 'three concurrent adds, one commit');
    assert.deepEqual(seen.heads, [0, 3]);
    assert.equal(Math.max(...seen.depths), 3);
    assert.equal(seen.depths.at(-1), 0, 'the queue drained');
    store.failNextAppend();
    await log.add('lost').catch(() => undefined);
    assert.equal(seen.errors, 1);
    assert.deepEqual(seen.batches, [3], 'a failed commit is not counted as written');
    await log.close();
  });

  it('reopens on the same store with the same tree and keeps appending', async () => {
    const store = new MemoryLogStore();
    const first = await openLog(store);
    const bodies = (await Promise.all(['a', 'b', 'c'].map((x) => first.log.add(x)))).map((r) => r.entry.body);
    const before = first.log.info();
    await first.log.close();
    const second = await openLog(store);
    assert.equal(second.log.treeId, before.treeId);
    assert.deepEqual(second.log.info().head, before.head);
    const d = await second.log.add('d');
    checkReturned(d);
    await checkTree(second.log, [...bodies, d.entry.body], { size: 3, root: before.head.rootHash });
    await second.log.close();
  });

  it('close() finishes queued entries and then refuses new ones', async () => {
    const { log } = await openLog();
    const pending = Array.from({ length: 50 }, (_, i) => log.add(`c${i}`));
    const closed = log.close();
    const all = await Promise.all(pending);
    await closed;
    assert.equal(all.length, 50);
    assert.equal(log.info().head.size, 50);
    await assert.rejects(log.add('late'), (e) => isSignetError(e, 'pushback'));
  });

  it('searches index keys with and/or', async () => {
    const { log } = await openLog();
    const a = await log.add('x');
    await log.add('y');
    assert.deepEqual(await log.search([['k:"x"']], 'or'), [a.entryId]);
    assert.equal((await log.search([['k:"x"'], ['k:"y"']], 'or')).length, 2);
    assert.deepEqual(await log.search([['k:"x"'], ['k:"y"']], 'and'), []);
    await log.close();
  });
});
