import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { StoredLeafError, type Batch, type LogStore, type StoredEntry } from '../../../src/log/storage/store.js';

/**
 * The LogStore contract, runnable against any backend: `storeConformance('sqlite', () => new SqliteLogStore(...))`.
 * `factory` returns a fresh, empty store; `reopen`, when given, returns a store over the same data (restart).
 */
export function storeConformance(
  name: string,
  factory: () => Promise<{ store: LogStore; reopen?: () => Promise<LogStore> }>,
): void {
  describe(`LogStore conformance: ${name}`, () => {
    it('init keeps the first tree ID; meta reads it without creating one', async () => {
      const { store, reopen } = await factory();
      assert.equal(await store.meta(), undefined, 'an empty store holds no log');
      assert.equal(await store.meta(), undefined, 'meta creates nothing');
      assert.deepEqual(await store.init({ treeId: '42' }), { treeId: '42' });
      assert.deepEqual(await store.init({ treeId: '43' }), { treeId: '42' });
      assert.deepEqual(await store.meta(), { treeId: '42' });
      assert.equal(await store.head(), undefined);
      await store.close();
      if (reopen) {
        const again = await reopen();
        assert.deepEqual(await again.meta(), { treeId: '42' });
        await again.close();
      }
    });

    it('appends batches and reads entries, leaf hashes, nodes and the head back', async () => {
      const { store, reopen } = await factory();
      await store.init({ treeId: '7' });
      await store.appendBatch(batch(0, 3));
      await store.appendBatch(batch(3, 2));
      const check = async (s: LogStore) => {
        const head = await s.head();
        assert.equal(head?.size, 5);
        assert.equal(head?.checkpoint, 'checkpoint 5\n');
        const got = await s.entriesByIndex([0, 4, 5, 2]);
        assert.deepEqual([...got.keys()], [0, 4, 2]);
        assert.deepEqual(got.get(4), entry(4));
        assert.deepEqual(got.get(2)?.attestation, entry(2).attestation);
        const idx = await s.indexesByLeafHash([leaf(3), leaf(99)]);
        assert.deepEqual([...idx.entries()], [[leaf(3).toString('hex'), 3]]);
        const nodes = await s.nodes([
          { level: 0, index: 1 },
          { level: 1, index: 0 },
          { level: 1, index: 7 },
        ]);
        assert.deepEqual(nodes.get('0/1'), leaf(1));
        assert.deepEqual(nodes.get('1/0'), node(1, 0));
        assert.equal(nodes.has('1/7'), false);
      };
      await check(store);
      if (reopen) {
        await store.close();
        const again = await reopen();
        await check(again);
        await again.close();
      } else await store.close();
    });

    it('searches the index keys written with each entry (union, ascending)', async () => {
      const { store } = await factory();
      await store.init({ treeId: '7' });
      await store.appendBatch(batch(0, 4));
      assert.deepEqual(await store.searchIndex(['key-even']), [0, 2]);
      assert.deepEqual(await store.searchIndex(['key-3', 'key-even']), [0, 2, 3]);
      assert.deepEqual(await store.searchIndex(['nothing']), []);
      await store.close();
    });

    it('pages the index keys newest first, below a cursor, without duplicates', async () => {
      const { store } = await factory();
      await store.init({ treeId: '7' });
      await store.appendBatch(batch(0, 7));
      assert.deepEqual(await store.searchIndexPage(['key-even'], 10), [6, 4, 2, 0]);
      assert.deepEqual(await store.searchIndexPage(['key-even'], 2), [6, 4]);
      assert.deepEqual(await store.searchIndexPage(['key-even'], 2, 4), [2, 0]);
      assert.deepEqual(await store.searchIndexPage(['key-even'], 2, 0), []);
      // Several keys: merged, each index once (entry 3 has key-3 only; the even ones key-even).
      assert.deepEqual(await store.searchIndexPage(['key-3', 'key-even', 'key-4'], 3), [6, 4, 3]);
      assert.deepEqual(await store.searchIndexPage(['key-3', 'key-even', 'key-4'], 3, 3), [2, 0]);
      assert.deepEqual(await store.searchIndexPage(['nothing'], 5), []);
      assert.deepEqual(await store.searchIndexPage([], 5), []);
      await store.close();
    });

    it('rejects a duplicate leaf hash or a gap and writes nothing of that batch', async () => {
      const { store } = await factory();
      await store.init({ treeId: '7' });
      await store.appendBatch(batch(0, 2));
      const dup = batch(2, 2);
      dup.entries[1]!.leafHash = leaf(0);
      // A store that checks leaves itself says so, so the sequencer can place the next batch meanwhile.
      const checks = (store as { checksLeaves?: boolean }).checksLeaves === true;
      await assert.rejects(store.appendBatch(dup), (e) => !checks || e instanceof StoredLeafError);
      await assert.rejects(store.appendBatch(batch(5, 1)), (e) => !(e instanceof StoredLeafError));
      assert.equal((await store.head())?.size, 2);
      assert.equal((await store.entriesByIndex([2])).size, 0);
      assert.deepEqual(await store.searchIndex(['key-2']), []);
      await store.appendBatch(batch(2, 1));
      assert.equal((await store.head())?.size, 3);
      await store.close();
    });

    it('setHead stores a head without entries', async () => {
      const { store } = await factory();
      await store.init({ treeId: '7' });
      const empty = createHash('sha256').digest();
      await store.setHead({ size: 0, rootHash: empty, checkpoint: 'empty\n' });
      assert.deepEqual(await store.head(), { size: 0, rootHash: empty, checkpoint: 'empty\n' });
      await store.ping();
      await store.close();
      await assert.rejects(store.ping());
    });

    it('keeps the latest cosignature per witness, served for exactly the tree it covers, across a restart', async () => {
      const { store, reopen } = await factory();
      await store.init({ treeId: '7' });
      const root5 = node(99, 5);
      const c = (witness: string, size: number, rootHash: Buffer) => ({
        witness,
        size,
        rootHash,
        line: `— ${witness} ${size}\n`,
      });
      await store.putCosignature(c('w2+1', 5, root5));
      await store.putCosignature(c('w1+1', 5, root5));
      await store.putCosignature(c('w3+1', 4, node(99, 4)));
      assert.deepEqual(await store.cosignatures(5, root5), [c('w1+1', 5, root5), c('w2+1', 5, root5)]);
      assert.deepEqual(await store.cosignatures(5, node(99, 6)), [], 'same size, other root: none');
      await store.putCosignature(c('w1+1', 6, node(99, 6)));
      assert.deepEqual(await store.cosignatures(5, root5), [c('w2+1', 5, root5)], 'a newer cosignature replaces');
      if (reopen) {
        await store.close();
        const again = await reopen();
        assert.deepEqual(await again.cosignatures(6, node(99, 6)), [c('w1+1', 6, node(99, 6))]);
        await again.close();
      } else await store.close();
    });

    it('serves concurrent reads while a batch is written', async () => {
      const { store } = await factory();
      await store.init({ treeId: '7' });
      await store.appendBatch(batch(0, 10));
      const reads = Array.from({ length: 20 }, (_, i) => store.entriesByIndex([i % 12]));
      const write = store.appendBatch(batch(10, 10));
      const results = await Promise.all(reads);
      await write;
      for (const [i, r] of results.entries()) if (i % 12 < 10) assert.equal(r.size, 1);
      assert.equal((await store.head())?.size, 20);
      await store.close();
    });
  });
}

const leaf = (i: number) => createHash('sha256').update(`leaf ${i}`).digest();
const node = (level: number, index: number) => createHash('sha256').update(`node ${level}/${index}`).digest();

function entry(i: number): StoredEntry {
  const e: StoredEntry = {
    logIndex: i,
    leafHash: leaf(i),
    integratedTime: 1_700_000_000 + i,
    body: Buffer.from(`{"entry":${i}}`),
    signedEntryTimestamp: Buffer.from(`set ${i}`),
    indexKeys: [`key-${i}`, ...(i % 2 === 0 ? ['key-even'] : [])],
  };
  if (i === 2) e.attestation = { mediaType: 'application/vnd.in-toto+json', data: Buffer.from('{"att":2}') };
  return e;
}

function batch(start: number, n: number): Batch {
  const entries = Array.from({ length: n }, (_, k) => entry(start + k));
  const size = start + n;
  const nodes = [];
  for (let i = start; i < size; i++) if (i % 2 === 1) nodes.push({ level: 1, index: i >> 1, hash: node(1, i >> 1) });
  return { entries, nodes, head: { size, rootHash: node(99, size), checkpoint: `checkpoint ${size}\n` } };
}
