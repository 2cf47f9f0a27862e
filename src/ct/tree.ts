import { createHash } from 'node:crypto';
import type { CtStore, StoredEntry } from './store.js';

// NOTE: src/merkle (signet's shared Merkle engine) had not landed when the CT log was written; these few RFC 6962
// functions over the stored subtree nodes stand in for it and should switch to its CompactRange/proof functions.

type NodeWrite = { level: number; index: number; hash: Buffer };

const leafHash = (data: Buffer) =>
  createHash('sha256')
    .update(Buffer.from([0]))
    .update(data)
    .digest();
const nodeHash = (l: Buffer, r: Buffer) =>
  createHash('sha256')
    .update(Buffer.from([1]))
    .update(l)
    .update(r)
    .digest();
const EMPTY_ROOT = createHash('sha256').digest();

/** Largest power of two strictly less than n (n >= 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * The log's RFC 6962 Merkle tree over the stored hashes of complete subtrees: node (level, index) covers leaves
 * [index * 2^level, (index + 1) * 2^level). Any other subtree hash is combined from those on the fly.
 */
export class CtTree {
  constructor(private readonly store: CtStore) {}

  /** Hashes `leafInput` and lets `write` store the entry together with the subtree nodes it completes. */
  append(leafInput: Buffer, write: (leafHash: Buffer, nodesFor: (index: number) => NodeWrite[]) => StoredEntry): void {
    const hash = leafHash(leafInput);
    write(hash, (index) => {
      const nodes: NodeWrite[] = [{ level: 0, index, hash }];
      let [level, i, h] = [0, index, hash];
      while (i % 2 === 1) {
        h = nodeHash(this.node(level, i - 1), h);
        [level, i] = [level + 1, i >> 1];
        nodes.push({ level, index: i, hash: h });
      }
      return nodes;
    });
  }

  /** MTH(D[0:size]) (RFC 6962 §2.1). */
  root(size: number): Buffer {
    return size === 0 ? EMPTY_ROOT : this.subtree(0, size);
  }

  /** PATH(m, D[0:size]) (RFC 6962 §2.1.1). */
  inclusion(index: number, size: number): Buffer[] {
    return this.path(index, 0, size);
  }

  /** PROOF(first, D[0:second]) (RFC 6962 §2.1.2). */
  consistency(first: number, second: number): Buffer[] {
    return this.subproof(first, 0, second, true);
  }

  private path(m: number, lo: number, n: number): Buffer[] {
    if (n <= 1) return [];
    const k = split(n);
    if (m < k) return [...this.path(m, lo, k), this.subtree(lo + k, n - k)];
    return [...this.path(m - k, lo + k, n - k), this.subtree(lo, k)];
  }

  private subproof(m: number, lo: number, n: number, complete: boolean): Buffer[] {
    if (m === n) return complete ? [] : [this.subtree(lo, n)];
    const k = split(n);
    if (m <= k) return [...this.subproof(m, lo, k, complete), this.subtree(lo + k, n - k)];
    return [...this.subproof(m - k, lo + k, n - k, false), this.subtree(lo, k)];
  }

  /** MTH of leaves [lo, lo + n). */
  private subtree(lo: number, n: number): Buffer {
    if ((n & (n - 1)) === 0 && lo % n === 0) return this.node(Math.log2(n), lo / n);
    const k = split(n);
    return nodeHash(this.subtree(lo, k), this.subtree(lo + k, n - k));
  }

  private node(level: number, index: number): Buffer {
    const h = this.store.node(level, index);
    if (!h) throw new Error(`ct tree node (${level}, ${index}) is missing`);
    return h;
  }
}
