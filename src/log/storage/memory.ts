import {
  nodeKey,
  type Batch,
  type Cosignature,
  type LogMeta,
  type LogStore,
  type StoredEntry,
  type TreeHead,
} from './store.js';

/**
 * An in-memory LogStore for tests and throwaway logs. `failNextAppend` injects one failed commit (nothing written),
 * so tests can check the sequencer rolls its in-memory state back and the tree stays verifiable.
 */
export class MemoryLogStore implements LogStore {
  #meta: LogMeta | undefined;
  #head: TreeHead | undefined;
  readonly #entries: StoredEntry[] = [];
  readonly #byLeaf = new Map<string, number>();
  readonly #nodes = new Map<string, Buffer>();
  readonly #keys = new Map<string, number[]>();
  readonly #cosignatures = new Map<string, Cosignature>();
  #failNext: Error | undefined;
  #closed = false;

  /** The next appendBatch rejects with `error` and writes nothing. */
  failNextAppend(error = new Error('injected storage failure')): void {
    this.#failNext = error;
  }

  async init(proposed: LogMeta): Promise<LogMeta> {
    this.#check();
    this.#meta ??= { ...proposed };
    return { ...this.#meta };
  }

  async meta(): Promise<LogMeta | undefined> {
    this.#check();
    return this.#meta && { ...this.#meta };
  }

  async head(): Promise<TreeHead | undefined> {
    this.#check();
    return this.#head;
  }

  async appendBatch(batch: Batch): Promise<void> {
    this.#check();
    await Promise.resolve();
    if (this.#failNext) {
      const e = this.#failNext;
      this.#failNext = undefined;
      throw e;
    }
    const size = this.#entries.length;
    batch.entries.forEach((e, i) => {
      if (e.logIndex !== size + i) throw new Error(`batch entry ${e.logIndex} is not at index ${size + i}`);
      if (this.#byLeaf.has(e.leafHash.toString('hex'))) throw new Error('duplicate leaf hash');
    });
    for (const e of batch.entries) {
      this.#entries.push(e);
      this.#byLeaf.set(e.leafHash.toString('hex'), e.logIndex);
      for (const k of e.indexKeys) this.#keys.set(k, [...(this.#keys.get(k) ?? []), e.logIndex]);
    }
    for (const n of batch.nodes) this.#nodes.set(nodeKey(n.level, n.index), n.hash);
    this.#head = batch.head;
  }

  async setHead(head: TreeHead): Promise<void> {
    this.#check();
    this.#head = head;
  }

  async entriesByIndex(indexes: number[]): Promise<Map<number, StoredEntry>> {
    this.#check();
    const out = new Map<number, StoredEntry>();
    for (const i of indexes) if (this.#entries[i]) out.set(i, this.#entries[i]!);
    return out;
  }

  async indexesByLeafHash(leafHashes: Buffer[]): Promise<Map<string, number>> {
    this.#check();
    const out = new Map<string, number>();
    for (const h of leafHashes) {
      const i = this.#byLeaf.get(h.toString('hex'));
      if (i !== undefined) out.set(h.toString('hex'), i);
    }
    return out;
  }

  async nodes(ids: Array<{ level: number; index: number }>): Promise<Map<string, Buffer>> {
    this.#check();
    const out = new Map<string, Buffer>();
    for (const { level, index } of ids) {
      const hash = level === 0 ? this.#entries[index]?.leafHash : this.#nodes.get(nodeKey(level, index));
      if (hash) out.set(nodeKey(level, index), hash);
    }
    return out;
  }

  async searchIndex(keys: string[]): Promise<number[]> {
    this.#check();
    const found = new Set(keys.flatMap((k) => this.#keys.get(k) ?? []));
    return [...found].sort((a, b) => a - b);
  }

  async searchIndexPage(keys: string[], limit: number, before = Number.MAX_SAFE_INTEGER): Promise<number[]> {
    const all = await this.searchIndex(keys);
    return all
      .filter((i) => i < before)
      .reverse()
      .slice(0, limit);
  }

  async putCosignature(c: Cosignature): Promise<void> {
    this.#check();
    this.#cosignatures.set(c.witness, { ...c });
  }

  async cosignatures(size: number, rootHash: Buffer): Promise<Cosignature[]> {
    this.#check();
    return [...this.#cosignatures.values()]
      .filter((c) => c.size === size && c.rootHash.equals(rootHash))
      .sort((a, b) => (a.witness < b.witness ? -1 : 1));
  }

  async ping(): Promise<void> {
    this.#check();
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #check(): void {
    if (this.#closed) throw new Error('log store is closed');
  }
}
