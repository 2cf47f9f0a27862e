import { invalidInput } from '../errors.js';
import { emptyRoot, nodeHash } from './hash.js';
import { alignedRange, isSafeSize } from './node-id.js';
import type { NodeReader } from './proofs.js';

/** Called for every perfect subtree an append completes (the leaf itself first), so it can be stored. */
export type OnNode = (level: number, index: number, hash: Buffer) => void;

/**
 * The right edge of a tree: one hash per set bit of its size, the perfect subtrees covering [0, size) from the
 * largest to the smallest. Enough to append leaves and compute the root without reading the rest of the tree.
 */
export class CompactRange {
  #size: number;
  /** Hashes of the perfect subtrees left to right; their levels are the set bits of #size, high to low. */
  readonly #hashes: Buffer[];

  private constructor(size: number, hashes: Buffer[]) {
    this.#size = size;
    this.#hashes = hashes;
  }

  /** An empty range. */
  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /** Loads the right edge of the tree of `size` from stored perfect-subtree nodes. */
  static async fromSize(size: number, read: NodeReader): Promise<CompactRange> {
    if (!isSafeSize(size)) throw invalidInput(`tree size ${size} is not a non-negative integer`);
    const ids = alignedRange(0, size);
    const read0 = ids.map((id) => read(id.level, id.index));
    const hashes = read0.some((h) => h instanceof Promise) ? await Promise.all(read0) : (read0 as Buffer[]);
    return new CompactRange(
      size,
      hashes.map((h) => Buffer.from(h)),
    );
  }

  get size(): number {
    return this.#size;
  }

  /** Appends one leaf hash, reporting the leaf and every subtree it completes to `onNode` (low to high level). */
  append(leafHash: Uint8Array, onNode?: OnNode): void {
    if (leafHash.length !== 32) throw invalidInput('a leaf hash must be 32 bytes');
    let hash: Buffer = Buffer.from(leafHash);
    let index = this.#size;
    let level = 0;
    onNode?.(level, index, hash);
    // Each trailing one bit of the old size is a left sibling waiting for exactly this right neighbour.
    while (index % 2 === 1) {
      hash = nodeHash(this.#hashes.pop()!, hash);
      index = (index - 1) / 2;
      level++;
      onNode?.(level, index, hash);
    }
    this.#hashes.push(hash);
    this.#size++;
  }

  /** The root of the tree of the current size. */
  root(): Buffer {
    const n = this.#hashes.length;
    if (n === 0) return emptyRoot();
    let acc = this.#hashes[n - 1]!;
    for (let i = n - 2; i >= 0; i--) acc = nodeHash(this.#hashes[i]!, acc);
    return acc;
  }

  /** The (level, index, hash) of each perfect subtree on the edge, largest first. */
  nodes(): { level: number; index: number; hash: Buffer }[] {
    return alignedRange(0, this.#size).map((id, i) => ({ ...id, hash: this.#hashes[i]! }));
  }

  /** An independent copy (appends to one do not affect the other). */
  clone(): CompactRange {
    return new CompactRange(this.#size, [...this.#hashes]);
  }
}
