import { CompactRange, consistencyProof, inclusionProof, leafHash, rootAt, type NodeReader } from '../merkle/index.js';
import type { CtStore } from './store.js';

export type NodeWrite = { level: number; index: number; hash: Buffer };

/** A batch of leaves hashed against the current tree: its first index, leaf hashes, nodes per leaf, and `commit`. */
export interface PreparedAppend {
  start: number;
  leafHashes: Buffer[];
  nodes: NodeWrite[][];
  commit(): void;
}

/**
 * The log's RFC 6962 Merkle tree: signet's Merkle engine does the maths, the store keeps the perfect-subtree nodes
 * each append completes, and proofs read them back. The right edge (a CompactRange) stays in memory and moves only
 * once a batch is durable; the log prepares one batch at a time, so two submissions can never race for an index.
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
   * Hashes the leaves and works out the subtree nodes each completes, without moving the tree. The caller stores
   * them (one transaction for the batch) and then calls `commit`, which moves the in-memory edge; a batch whose
   * store failed is simply dropped. Only one batch may be prepared at a time (the log's flush keeps to that).
   */
  prepare(leafInputs: Buffer[]): PreparedAppend {
    const next = this.#range.clone();
    const start = next.size;
    const leafHashes = leafInputs.map((l) => leafHash(l));
    const nodes = leafHashes.map((hash) => {
      const out: NodeWrite[] = [];
      next.append(hash, (level, i, h) => out.push({ level, index: i, hash: h }));
      return out;
    });
    return {
      start,
      leafHashes,
      nodes,
      commit: () => {
        if (this.#range.size !== start) throw new Error(`ct tree moved from ${start} to ${this.#range.size} meanwhile`);
        this.#range = next;
      },
    };
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
