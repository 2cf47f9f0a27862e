import { invalidInput } from '../errors.js';
import { nodeHash } from './hash.js';
import { pow2 } from './node-id.js';
import type { NodeReader } from './proofs.js';
import { tileCoordsForNode, tileWidth, TILE_HEIGHT, type TileId } from './tiles.js';

/** Fetches a tile body (width·32 bytes) for the given coordinates, full or partial. */
export type TileFetcher = (tile: Required<TileId>) => Promise<Uint8Array>;

/**
 * A NodeReader over a tiled log of `size` leaves: each node is recomputed from the one tile that holds it, using
 * the tile width the tree of `size` implies (clients must not fetch partials no checkpoint implies). Tiles are
 * fetched once per reader; make one reader per verified checkpoint.
 */
export function tileNodeReader(size: number, fetchTile: TileFetcher): NodeReader {
  const tiles = new Map<string, Promise<Buffer[]>>();
  return async (level, index) => {
    const { tile, offsetLevel, offsetIndex } = tileCoordsForNode(level, index);
    const width = tileWidth(tile.level, tile.index, size);
    const span = pow2(offsetLevel);
    if (width < (offsetIndex + 1) * span)
      throw invalidInput(`node ${level}/${index} is not complete at tree size ${size}`);
    const key = `${tile.level}/${tile.index}`;
    let hashes = tiles.get(key);
    if (!hashes) {
      hashes = fetchTile({ ...tile, width }).then((body) => splitTile(body, width));
      tiles.set(key, hashes);
      hashes.catch(() => tiles.delete(key)); // a failed fetch may be retried by the next read
    }
    return subtreeRoot((await hashes).slice(offsetIndex * span, (offsetIndex + 1) * span));
  };
}

function splitTile(body: Uint8Array, width: number): Buffer[] {
  if (body.length !== width * 32) throw invalidInput(`tile body has ${body.length} bytes, expected ${width * 32}`);
  return Array.from({ length: width }, (_, i) => Buffer.from(body.subarray(i * 32, i * 32 + 32)));
}

/** The root of a perfect subtree (a power-of-two run of hashes at one level of a tile). */
function subtreeRoot(row: Buffer[]): Buffer {
  for (let k = 0; row.length > 1 && k < TILE_HEIGHT; k++) {
    const next: Buffer[] = [];
    for (let i = 0; i < row.length; i += 2) next.push(nodeHash(row[i]!, row[i + 1]!));
    row = next;
  }
  return row[0]!;
}
