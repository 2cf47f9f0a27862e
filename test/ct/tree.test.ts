import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { CtStore } from '../../src/ct/store.js';
import { CtTree } from '../../src/ct/tree.js';
import { tempDir } from '../helpers/process.js';

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leafHash = (d: Buffer) => sha(Buffer.from([0]), d);
const nodeHash = (l: Buffer, r: Buffer) => sha(Buffer.from([1]), l, r);

/** MTH straight from RFC 6962 §2.1, over all leaves: the reference the stored tree must match. */
function mth(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return sha();
  if (leaves.length === 1) return leafHash(leaves[0]!);
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** RFC 9162 §2.1.3.2. */
function rootFromInclusion(index: number, size: number, leaf: Buffer, path: Buffer[]): Buffer {
  let [fn, sn, r] = [index, size - 1, leaf];
  for (const p of path) {
    assert.ok(sn > 0, 'inclusion proof too long');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else r = nodeHash(r, p);
    [fn, sn] = [fn >> 1, sn >> 1];
  }
  assert.equal(sn, 0, 'inclusion proof too short');
  return r;
}

/** RFC 9162 §2.1.4.2: returns [old root, new root] the proof commits to. */
function rootsFromConsistency(first: number, second: number, proof: Buffer[], firstRoot: Buffer): [Buffer, Buffer] {
  let path = [...proof];
  if ((first & (first - 1)) === 0) path = [firstRoot, ...path];
  let [fn, sn] = [first - 1, second - 1];
  while (fn % 2 === 1) [fn, sn] = [fn >> 1, sn >> 1];
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    assert.ok(sn > 0, 'consistency proof too long');
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else sr = nodeHash(sr, c);
    [fn, sn] = [fn >> 1, sn >> 1];
  }
  assert.equal(sn, 0, 'consistency proof too short');
  return [fr, sr];
}

test('stored tree: roots, inclusion and consistency proofs verify for every size (RFC 9162 verifiers)', async () => {
  const dir = tempDir();
  const store = new CtStore(join(dir, 'ct.db'));
  try {
    const tree = await CtTree.open(store);
    const leaves: Buffer[] = [];
    for (let n = 1; n <= 40; n++) {
      const leaf = Buffer.from(`leaf ${n}`);
      leaves.push(leaf);
      const prepared = tree.prepare([leaf]);
      const hash = prepared.leafHashes[0]!;
      const row = { identity: hash, leafHash: hash, leafInput: leaf, extraData: Buffer.alloc(0), timestamp: n };
      await store.append([{ ...row, index: prepared.start, sctSignature: Buffer.alloc(0), nodes: prepared.nodes[0]! }]);
      prepared.commit();
      assert.deepEqual(tree.currentRoot(), mth(leaves), `root of ${n}`);
      assert.deepEqual(await tree.root(n), mth(leaves));
    }
    assert.deepEqual(await tree.root(0), sha());
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 39 }),
        fc.integer({ min: 1, max: 40 }),
        async (size, i, m) => {
          const index = i % size;
          const proof = await tree.inclusion(index, size);
          assert.deepEqual(rootFromInclusion(index, size, leafHash(leaves[index]!), proof), mth(leaves.slice(0, size)));
          const first = Math.min(m, size);
          if (first < size) {
            const [a, b] = rootsFromConsistency(
              first,
              size,
              await tree.consistency(first, size),
              mth(leaves.slice(0, first)),
            );
            assert.deepEqual(a, mth(leaves.slice(0, first)));
            assert.deepEqual(b, mth(leaves.slice(0, size)));
          }
        },
      ),
      { numRuns: 300, seed: 6962 },
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
