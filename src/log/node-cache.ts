import type { NodeReader } from '../merkle/index.js';
import { nodeKey, type LogStore } from './storage/store.js';

/**
 * Perfect-subtree hashes in memory, in front of the store. The sequencer puts every node it completes here, so
 * proofs for a fresh batch never touch storage; older nodes are read through once and kept (they never change).
 * Eviction is first-in-first-out by insertion, which keeps the recent right edge of the tree hot.
 */
export class NodeCache {
  readonly #store: LogStore;
  readonly #capacity: number;
  readonly #map = new Map<string, Buffer>();

  constructor(store: LogStore, capacity = 1 << 18) {
    this.#store = store;
    this.#capacity = capacity;
  }

  set(level: number, index: number, hash: Buffer): void {
    const key = nodeKey(level, index);
    if (this.#map.has(key)) return;
    this.#map.set(key, hash);
    if (this.#map.size > this.#capacity) {
      // Drop the oldest eighth at once so eviction costs O(1) amortised per insert.
      let n = this.#capacity >> 3;
      for (const k of this.#map.keys()) {
        if (n-- <= 0) break;
        this.#map.delete(k);
      }
    }
  }

  get(level: number, index: number): Buffer | undefined {
    return this.#map.get(nodeKey(level, index));
  }

  /**
   * Reads the nodes of `ids` not yet in memory in one store query, so the proofs that follow are cache hits (one
   * round trip for a whole batch of proofs instead of one per missing node). Nodes the store lacks are left out:
   * `read` then fails on them as usual.
   */
  async prefetch(ids: Iterable<{ level: number; index: number }>): Promise<void> {
    const missing = new Map<string, { level: number; index: number }>();
    for (const id of ids) {
      const key = nodeKey(id.level, id.index);
      if (!this.#map.has(key)) missing.set(key, { level: id.level, index: id.index });
    }
    if (missing.size === 0) return;
    const found = await this.#store.nodes([...missing.values()]);
    for (const [key, id] of missing) {
      const hash = found.get(key);
      if (hash) this.set(id.level, id.index, hash);
    }
  }

  /** A NodeReader: cache hits are synchronous; misses read the store and fail if the node does not exist. */
  readonly read: NodeReader = (level: number, index: number) => {
    const hit = this.#map.get(nodeKey(level, index));
    return hit ?? this.#readThrough(level, index);
  };

  async #readThrough(level: number, index: number): Promise<Buffer> {
    const found = await this.#store.nodes([{ level, index }]);
    const hash = found.get(nodeKey(level, index));
    if (!hash) throw new Error(`tree node ${level}/${index} is missing from the log store`);
    this.set(level, index, hash);
    return hash;
  }
}
