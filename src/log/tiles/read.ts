import { encodeEntryBundle, TILE_HEIGHT, TILE_WIDTH, tileWidth, type ParsedTilePath } from '../../merkle/index.js';
import type { LogStore } from '../storage/store.js';

/** A tile or entry bundle ready to serve, or undefined when the tree of `size` does not (yet) contain it. */
export interface TileBody {
  body: Buffer;
  /** Full tiles never change; partial ones are replaced as the tree grows. */
  immutable: boolean;
}

/**
 * Reads C2SP tlog-tiles resources from the store for a tree of `size`. A partial tile `.p/W` exists when some tree
 * size up to `size` had exactly W hashes in it, i.e. W is below both 256 and the current width; a full tile exists
 * once the tree filled it. Level-L tile hashes are the level-8L perfect-subtree hashes (level 0: leaf hashes).
 */
export async function readTile(store: LogStore, path: ParsedTilePath, size: number): Promise<TileBody | undefined> {
  const level = path.kind === 'entries' ? 0 : path.level;
  const current = tileWidth(level, path.index, size);
  if (current === 0 || path.width > current) return undefined;
  const immutable = path.width === TILE_WIDTH;
  const first = path.index * TILE_WIDTH;
  const indexes = Array.from({ length: path.width }, (_, i) => first + i);
  if (path.kind === 'entries') {
    const found = await store.entriesByIndex(indexes);
    const bodies = indexes.map((i) => {
      const e = found.get(i);
      if (!e) throw new Error(`entry ${i} is missing from the log store`);
      return e.body;
    });
    // Admission refuses entries too long for a bundle; one stored before that cap fails its bundle with a clear
    // logged error (the other bundles are unaffected).
    return { body: encodeEntryBundle(bodies, first), immutable };
  }
  const treeLevel = level * TILE_HEIGHT;
  const found = await store.nodes(indexes.map((index) => ({ level: treeLevel, index })));
  const hashes = indexes.map((i) => {
    const h = found.get(`${treeLevel}/${i}`);
    if (!h) throw new Error(`tree node ${treeLevel}/${i} is missing from the log store`);
    return h;
  });
  return { body: Buffer.concat(hashes), immutable };
}

/**
 * Full tiles and bundles never change, so a bounded in-memory cache in front of `readTile` serves repeated reads
 * (clients building proofs hit the same upper tiles) without touching storage. Partial ones are never cached.
 */
export class FullTileCache {
  readonly #max: number;
  readonly #map = new Map<string, TileBody>();

  constructor(maxEntries = 2048) {
    this.#max = maxEntries;
  }

  async read(store: LogStore, path: ParsedTilePath, size: number): Promise<TileBody | undefined> {
    const key = path.kind === 'entries' ? `e/${path.index}` : `${path.level}/${path.index}`;
    if (path.width === TILE_WIDTH) {
      const hit = this.#map.get(key);
      if (hit) return hit;
    }
    const found = await readTile(store, path, size);
    if (found?.immutable) {
      this.#map.set(key, found);
      if (this.#map.size > this.#max) this.#map.delete(this.#map.keys().next().value!);
    }
    return found;
  }
}
