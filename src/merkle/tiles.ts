import { SignetError, invalidInput } from '../errors.js';
import { nodeHash } from './hash.js';
import { isSafeSize, pow2, shiftRight } from './node-id.js';

/**
 * C2SP tlog-tiles coordinates. A tile at tile-level L holds up to 256 hashes of tree level 8L; tile N at that level
 * covers level-8L nodes [256N, 256N+256), and tree levels 8L..8L+8 of that span are derived from it.
 */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
const MAX_TILE_LEVEL = 63;
/** An entry bundle prefixes each entry with a 16-bit big-endian length, so no entry can be longer than this. */
export const MAX_BUNDLED_ENTRY_BYTES = 0xffff;

/**
 * The C2SP tlog-tiles entry bundle of `entries` (each as a 16-bit length, then its bytes). Throws an internal error
 * naming the first entry too long for the format (`firstIndex` + its position), rather than a bundle that lies.
 */
export function encodeEntryBundle(entries: Buffer[], firstIndex = 0): Buffer {
  const parts: Buffer[] = [];
  entries.forEach((e, i) => {
    if (e.length > MAX_BUNDLED_ENTRY_BYTES) {
      throw new SignetError(
        'internal',
        `entry ${firstIndex + i} is ${e.length} bytes, more than an entry bundle can hold (${MAX_BUNDLED_ENTRY_BYTES})`,
      );
    }
    const len = Buffer.alloc(2);
    len.writeUInt16BE(e.length);
    parts.push(len, e);
  });
  return Buffer.concat(parts);
}

export interface TileId {
  /** Tile level L (tree level 8L). */
  level: number;
  /** Tile index N at that level. */
  index: number;
  /** Number of hashes (1..256); 256 or absent is a full tile. */
  width?: number;
}

export type ParsedTilePath =
  { kind: 'tile'; level: number; index: number; width: number } | { kind: 'entries'; index: number; width: number };

/** `tile/<L>/<N>[.p/<W>]`, with N in x-prefixed 3-digit groups: 1234067 -> x001/x234/067. */
export function tilePath(tile: TileId): string {
  if (!Number.isInteger(tile.level) || tile.level < 0 || tile.level > MAX_TILE_LEVEL) {
    throw invalidInput(`tile level ${tile.level} is not 0..63`);
  }
  return `tile/${tile.level}/${encodeIndex(tile.index)}${partialSuffix(tile.width)}`;
}

/** `tile/entries/<N>[.p/<W>]` for entry bundle N (entries 256N .. 256N+255). */
export function entriesPath(index: number, width?: number): string {
  return `tile/entries/${encodeIndex(index)}${partialSuffix(width)}`;
}

/** Parses a tile or entry-bundle path, rejecting every non-canonical spelling (leading zeros, extra groups). */
export function parseTilePath(path: string): ParsedTilePath {
  const m = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(path);
  if (!m) throw invalidInput(`not a tile path: ${JSON.stringify(path.slice(0, 100))}`);
  const groups = m[2]!.split('/');
  if (groups.length > 1 && groups[0] === 'x000') throw invalidInput(`tile index has a leading zero group: ${path}`);
  const index = Number(groups.map((g) => g.replace('x', '')).join(''));
  if (!Number.isSafeInteger(index)) throw invalidInput(`tile index is too large: ${path}`);
  const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
  if (m[3] !== undefined && width >= TILE_WIDTH) throw invalidInput(`partial tile width must be 1..255: ${path}`);
  if (m[1] === 'entries') return { kind: 'entries', index, width };
  const level = Number(m[1]);
  if (level > MAX_TILE_LEVEL) throw invalidInput(`tile level ${level} is not 0..63`);
  return { kind: 'tile', level, index, width };
}

/** Which tile holds tree node (level, index), and where: `offsetLevel` 0..7 inside it and the index at that level. */
export function tileCoordsForNode(
  level: number,
  index: number,
): { tile: { level: number; index: number }; offsetLevel: number; offsetIndex: number } {
  if (!isSafeSize(level) || !isSafeSize(index)) throw invalidInput(`node ${level}/${index} is not a tree node`);
  const offsetLevel = level % TILE_HEIGHT;
  const perTile = pow2(TILE_HEIGHT - offsetLevel);
  return {
    tile: { level: Math.floor(level / TILE_HEIGHT), index: Math.floor(index / perTile) },
    offsetLevel,
    offsetIndex: index % perTile,
  };
}

/** Width of tile (level, index) in the tree of `size`: 256 when full, 0 when it does not exist yet. */
export function tileWidth(level: number, index: number, size: number): number {
  const n = shiftRight(size, TILE_HEIGHT * level);
  if (Math.floor(n / TILE_WIDTH) > index) return TILE_WIDTH;
  return Math.floor(n / TILE_WIDTH) === index ? n % TILE_WIDTH : 0;
}

/**
 * Every tile (full and partial) of the tree of `size`, level by level. For size 70,000: 273 full level-0 tiles
 * and a partial of 112, one full level-1 tile and a partial of 17, and a level-2 partial of 1.
 */
export function tilesForTree(size: number): Required<TileId>[] {
  if (!isSafeSize(size)) throw invalidInput(`tree size ${size} is not a non-negative integer`);
  const tiles: Required<TileId>[] = [];
  for (let level = 0, n = size; n > 0; level++, n = Math.floor(n / TILE_WIDTH)) {
    const full = Math.floor(n / TILE_WIDTH);
    for (let index = 0; index < full; index++) tiles.push({ level, index, width: TILE_WIDTH });
    if (n % TILE_WIDTH > 0) tiles.push({ level, index: full, width: n % TILE_WIDTH });
  }
  return tiles;
}

/**
 * The tree nodes a tile's hashes determine: its own hashes (tree level 8L) and every perfect subtree above them
 * inside the tile, up to the tile's root at level 8L+8 when it is full. `data` is the tile body (width·32 bytes).
 */
export function nodesFromTile(tile: TileId, data: Uint8Array): { level: number; index: number; hash: Buffer }[] {
  if (data.length === 0 || data.length % 32 !== 0 || data.length > TILE_WIDTH * 32) {
    throw invalidInput(`tile body of ${data.length} bytes is not 1..256 hashes`);
  }
  if (tile.width !== undefined && tile.width * 32 !== data.length) {
    throw invalidInput(`tile body has ${data.length / 32} hashes, expected ${tile.width}`);
  }
  const out: { level: number; index: number; hash: Buffer }[] = [];
  let row: Buffer[] = [];
  for (let i = 0; i < data.length; i += 32) row.push(Buffer.from(data.subarray(i, i + 32)));
  for (let k = 0; row.length > 0 && k <= TILE_HEIGHT; k++) {
    const level = tile.level * TILE_HEIGHT + k;
    const first = tile.index * pow2(TILE_HEIGHT - k);
    row.forEach((hash, i) => out.push({ level, index: first + i, hash }));
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < row.length; i += 2) next.push(nodeHash(row[i]!, row[i + 1]!));
    row = next;
  }
  return out;
}

function encodeIndex(n: number): string {
  if (!isSafeSize(n)) throw invalidInput(`tile index ${n} is not a non-negative integer`);
  let digits = String(n);
  digits = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups = digits.match(/.../g)!;
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

function partialSuffix(width: number | undefined): string {
  if (width === undefined || width === TILE_WIDTH) return '';
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH)
    throw invalidInput(`tile width ${width} is not 1..256`);
  return `.p/${width}`;
}
