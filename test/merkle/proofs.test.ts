import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CompactRange,
  consistencyProof,
  consistencyProofNodes,
  inclusionProof,
  inclusionProofNodes,
  leafHash,
  nodeHash,
  rootAt,
  rootFromInclusionProof,
  rootHash,
  verifyConsistency,
  verifyInclusion,
  type NodeReader,
} from '../../src/merkle/index.js';

/** A tree grown leaf by leaf through CompactRange, keeping every node it reports (what a log store would hold). */
function growTree(n: number, seed = 0) {
  const leaves = Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${seed} ${i}`)));
  const nodes = new Map<string, Buffer>();
  const range = CompactRange.empty();
  const roots = [range.root()];
  for (const l of leaves) {
    range.append(l, (level, index, hash) => {
      assert.ok(!nodes.has(`${level}/${index}`), `node ${level}/${index} reported twice`);
      nodes.set(`${level}/${index}`, hash);
    });
    roots.push(range.root());
  }
  const read: NodeReader = (level, index) => {
    const h = nodes.get(`${level}/${index}`);
    if (!h) throw new Error(`read of missing node ${level}/${index}`);
    return h;
  };
  return { leaves, nodes, roots, read };
}

// RFC 6962 §2.1 PATH and PROOF written recursively, as an independent oracle.
const split = (n: number) => 2 ** Math.floor(Math.log2(n - 1));
function refPath(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const k = split(d.length);
  return m < k
    ? [...refPath(m, d.slice(0, k)), rootHash(d.slice(k))]
    : [...refPath(m - k, d.slice(k)), rootHash(d.slice(0, k))];
}
function refSubproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  const n = d.length;
  if (m === n) return b ? [] : [rootHash(d)];
  const k = split(n);
  return m <= k
    ? [...refSubproof(m, d.slice(0, k), b), rootHash(d.slice(k))]
    : [...refSubproof(m - k, d.slice(k), false), rootHash(d.slice(0, k))];
}

test('CompactRange roots equal MTH for every prefix, and rootAt agrees', async () => {
  const { leaves, roots, read } = growTree(70);
  for (let n = 0; n <= leaves.length; n++) {
    assert.deepEqual(roots[n], rootHash(leaves.slice(0, n)), `size ${n}`);
    assert.deepEqual(await rootAt(n, read), roots[n]);
    const reloaded = await CompactRange.fromSize(n, read);
    assert.deepEqual(reloaded.root(), roots[n]);
  }
});

test('every inclusion and consistency proof matches RFC 6962 and verifies (sizes 1..40)', async () => {
  const { leaves, roots, read } = growTree(40);
  for (let size = 1; size <= leaves.length; size++) {
    for (let i = 0; i < size; i++) {
      const proof = await inclusionProof(i, size, read);
      assert.deepEqual(proof, refPath(i, leaves.slice(0, size)), `inclusion ${i}/${size}`);
      assert.ok(verifyInclusion(leaves[i]!, i, size, proof, roots[size]!));
    }
    for (let m = 1; m <= size; m++) {
      const proof = await consistencyProof(m, size, read);
      assert.deepEqual(
        proof,
        m === size ? [] : refSubproof(m, leaves.slice(0, size), true),
        `consistency ${m}->${size}`,
      );
      assert.ok(verifyConsistency(m, size, proof, roots[m]!, roots[size]!), `verify ${m}->${size}`);
    }
  }
});

test('proofs only read nodes that exist at the requested size', async () => {
  const { read } = growTree(300);
  const limited =
    (size: number): NodeReader =>
    (level, index) => {
      assert.ok((index + 1) * 2 ** level <= size, `node ${level}/${index} is not complete at size ${size}`);
      return read(level, index);
    };
  for (const size of [1, 2, 3, 5, 64, 100, 255, 256, 257, 299]) {
    await rootAt(size, limited(size));
    await inclusionProof(size - 1, size, limited(size));
    await inclusionProof(0, size, limited(size));
    if (size > 3) await consistencyProof(3, size, limited(size));
  }
});

test('property: random trees, proofs verify and every tampering fails', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 600 }), fc.nat(), fc.nat(), fc.nat(), async (size, a, b, bit) => {
      const { leaves, roots, read } = growTree(size, size);
      const i = a % size;
      const proof = await inclusionProof(i, size, read);
      assert.ok(verifyInclusion(leaves[i]!, i, size, proof, roots[size]!));
      assert.deepEqual(rootFromInclusionProof(leaves[i]!, i, size, proof), roots[size]);
      // Wrong index, size, leaf, root, a flipped bit, a dropped or an extra hash: all rejected.
      if (size > 1) assert.ok(!verifyInclusion(leaves[i]!, (i + 1) % size, size, proof, roots[size]!));
      // (A different size can share the proof's shape, so size alone is bound by the root and the checkpoint.)
      assert.ok(!verifyInclusion(leaves[i]!, i, 2 * size + 2, proof, roots[size]!));
      assert.ok(!verifyInclusion(leaves[i]!, i + size, size, proof, roots[size]!));
      assert.ok(!verifyInclusion(nodeHash(leaves[i]!, leaves[i]!), i, size, proof, roots[size]!));
      assert.ok(!verifyInclusion(leaves[i]!, i, size, [...proof, leaves[0]!], roots[size]!));
      if (proof.length > 0) {
        const bad = proof.map((h) => Buffer.from(h));
        const k = bit % bad.length;
        bad[k]![bit % 32]! ^= 1 << (bit % 8);
        assert.ok(!verifyInclusion(leaves[i]!, i, size, bad, roots[size]!));
        assert.ok(!verifyInclusion(leaves[i]!, i, size, proof.slice(1), roots[size]!));
      }
      const m = 1 + (b % size);
      const cproof = await consistencyProof(m, size, read);
      assert.ok(verifyConsistency(m, size, cproof, roots[m]!, roots[size]!));
      if (m < size) {
        assert.ok(!verifyConsistency(m, size, cproof, roots[size]!, roots[size]!));
        assert.ok(!verifyConsistency(m, size, cproof, roots[m]!, roots[m]!));
        assert.ok(!verifyConsistency(m, size, cproof.slice(0, -1), roots[m]!, roots[size]!));
        assert.ok(!verifyConsistency(m, size, [...cproof, roots[m]!], roots[m]!, roots[size]!));
        if (m > 1) assert.ok(!verifyConsistency(m - 1, size, cproof, roots[m - 1]!, roots[size]!));
      }
    }),
    { numRuns: 150, seed: 6962 },
  );
});

test('malformed input returns false or a clear invalid-input error, never a crash', () => {
  const h = leafHash(Buffer.from('x'));
  const bad: unknown[] = [NaN, -1, 1.5, Infinity, '3', null, undefined, 2 ** 60];
  for (const v of bad) {
    assert.equal(verifyInclusion(h, v as number, 4, [h, h], h), false);
    assert.equal(verifyInclusion(h, 0, v as number, [h, h], h), false);
    assert.equal(verifyConsistency(v as number, 4, [h], h, h), false);
    assert.equal(verifyConsistency(1, v as number, [h], h, h), false);
    assert.throws(() => inclusionProofNodes(v as number, 4), { name: 'SignetError' });
    assert.throws(() => consistencyProofNodes(1, v as number), { name: 'SignetError' });
  }
  assert.equal(verifyInclusion(h, 0, 2, [Buffer.alloc(31)], h), false);
  assert.equal(verifyInclusion(h, 0, 2, null as unknown as Buffer[], h), false);
  assert.equal(verifyInclusion(h, 0, 2, [h], Buffer.alloc(0)), false);
  assert.equal(verifyConsistency(0, 0, [], h, h), false);
  assert.equal(verifyConsistency(2, 1, [], h, h), false);
  assert.throws(() => inclusionProofNodes(4, 4), /not inside/);
  assert.throws(() => consistencyProofNodes(5, 4), /cannot prove/);
  assert.throws(() => CompactRange.empty().append(Buffer.alloc(31)), /32 bytes/);
});

test('proof node lists for very large trees stay exact beyond 2^32', () => {
  const size = 2 ** 40 + 12345;
  const nodes = inclusionProofNodes(size - 1, size);
  for (const id of nodes.ids) {
    assert.ok(Number.isSafeInteger(id.index) && (id.index + 1) * 2 ** id.level <= size, `${id.level}/${id.index}`);
  }
  assert.ok(nodes.ids.length <= 41 + 20);
  const c = consistencyProofNodes(2 ** 35 + 7, size);
  for (const id of c.ids) assert.ok((id.index + 1) * 2 ** id.level <= size);
});
