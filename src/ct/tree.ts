import { CompactRange, consistencyProof, inclusionProof, leafHash, rootAt, type NodeReader } from '../merkle/index.js';
import type { CtStore } from './store.js';

export type NodeWrite = { level: number; index: number; hash: Buffer };

/**
 * The log's RFC 6962 Merkle tree: signet's Merkle engine does the maths, the store keeps the perfect-subtree nodes
 * each append completes, and proofs read them back. The right edge (a CompactRange) stays in memory, so an append
 * is synchronous from hashing to commit and two submissions can never race for the same index.
 */
export class CtTree {
  readonly #read: NodeReader;
  #range: CompactRange;
  private constructor(read: NodeReader, range: CompactRange) {
    this.#read = read;
    this.#range = range;
  }

  static async open(store: CtStore): Promise<CtTree> {
    const read: NodeReader = (level, index) => {
      const h = store.node(level, index);
      if (!h) throw new Error(`ct tree node (${level}, ${index}) is missing`);
      return h;
    };
    return new CtTree(read, await CompactRange.fromSize(store.size(), read));
  }

  get size(): number {
    return this.#range.size;
  }

  /**
   * Hashes the leaves and lets `write` store them together with the subtree nodes each completes (one transaction
   * for the whole batch). The in-memory edge moves only once `write` returned.
   */
  append<T>(
    leafInputs: Buffer[],
    write: (leafHashes: Buffer[], nodesFor: (index: number, hash: Buffer) => NodeWrite[]) => T,
  ): T {
    const hashes = leafInputs.map((l) => leafHash(l));
    const next = this.#range.clone();
    const out = write(hashes, (index, hash) => {
      if (index !== next.size) throw new Error(`ct tree is at size ${next.size} but the store is at ${index}`);
      const nodes: NodeWrite[] = [];
      next.append(hash, (level, i, h) => nodes.push({ level, index: i, hash: h }));
      return nodes;
    });
    this.#range = next;
    return out;
  }

  /** The root of the current tree. */
  currentRoot(): Buffer {
    return this.#range.root();
  }

  root(size: number): Promise<Buffer> {
    return rootAt(size, this.#read);
  }

  inclusion(index: number, size: number): Promise<Buffer[]> {
    return inclusionProof(index, size, this.#read);
  }

  consistency(first: number, second: number): Promise<Buffer[]> {
    return consistencyProof(first, second, this.#read);
  }
}
