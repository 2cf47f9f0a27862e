import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  CompactRange,
  entriesPath,
  leafHash,
  nodesFromTile,
  parseTilePath,
  tileCoordsForNode,
  tilePath,
  tilesForTree,
  tileWidth,
  tileNodeReader,
  inclusionProof,
  consistencyProof,
  rootAt,
  tilePath as pathOf,
} from '../../src/merkle/index.js';

test('tile paths as C2SP tlog-tiles and Tessera spell them', () => {
  assert.equal(tilePath({ level: 0, index: 1234067 }), 'tile/0/x001/x234/067');
  assert.equal(tilePath({ level: 0, index: 0 }), 'tile/0/000');
  assert.equal(tilePath({ level: 15, index: 123456789, width: 41 }), 'tile/15/x123/x456/789.p/41');
  assert.equal(tilePath({ level: 1, index: 68, width: 256 }), 'tile/1/068');
  assert.equal(entriesPath(0, 255), 'tile/entries/000.p/255');
  assert.equal(entriesPath(1, 1), 'tile/entries/001.p/1');
  assert.equal(entriesPath(123456789), 'tile/entries/x123/x456/789');
  assert.deepEqual(parseTilePath('tile/0/x001/x234/068.p/17'), { kind: 'tile', level: 0, index: 1234068, width: 17 });
  assert.deepEqual(parseTilePath('tile/entries/x001/000'), { kind: 'entries', index: 1000, width: 256 });
});

test('non-canonical or out-of-range tile paths are rejected', () => {
  for (const p of [
    'tile/0/x001/x234/067.p/',
    'tile/64/000',
    'tile/01/000',
    'tile/0/000.p/256',
    'tile/0/000.p/0',
    'tile/0/000.p/017',
    'tile/0/x001/0002',
    'tile/0/01',
    'tile/0/x000/001',
    'tile/0/001/002',
    'tile/0/x001',
    '/tile/0/000',
    'tile/0/000/',
    'tile/data/000',
    'tile/-1/000',
    'tile/0/x1234/000',
    '',
  ]) {
    assert.throws(() => parseTilePath(p), { name: 'SignetError' }, p);
  }
  assert.throws(() => tilePath({ level: 0, index: 1, width: 0 }), /1\.\.256/);
  assert.throws(() => tilePath({ level: 64, index: 1 }), /0\.\.63/);
  assert.throws(() => tilePath({ level: 0, index: -1 }), /non-negative/);
});

test('property: tile paths round trip', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 63 }),
      fc.maxSafeNat(),
      fc.option(fc.integer({ min: 1, max: 255 }), { nil: undefined }),
      (level, index, width) => {
        const p = tilePath({ level, index, width });
        assert.deepEqual(parseTilePath(p), { kind: 'tile', level, index, width: width ?? 256 });
        assert.deepEqual(parseTilePath(entriesPath(index, width)), { kind: 'entries', index, width: width ?? 256 });
      },
    ),
    { seed: 9162 },
  );
});

test('tiles of a tree of 70,000 (the C2SP example) and 256', () => {
  const tiles = tilesForTree(70000);
  const summary = (l: number) => tiles.filter((t) => t.level === l).map((t) => t.width);
  assert.equal(summary(0).length, 274);
  assert.equal(summary(0).at(-1), 112);
  assert.deepEqual(summary(1), [256, 17]);
  assert.deepEqual(summary(2), [1]);
  assert.deepEqual(tilesForTree(256), [
    { level: 0, index: 0, width: 256 },
    { level: 1, index: 0, width: 1 },
  ]);
  assert.equal(tileWidth(0, 273, 70000), 112);
  assert.equal(tileWidth(0, 3, 70000), 256);
  assert.equal(tileWidth(0, 274, 70000), 0);
  assert.equal(tileWidth(2, 0, 70000), 1);
});

test('tileCoordsForNode and nodesFromTile reconstruct the stored tree', () => {
  const size = 256 * 3 + 40;
  const nodes = new Map<string, Buffer>();
  const range = CompactRange.empty();
  const level0: Buffer[] = [];
  for (let i = 0; i < size; i++) {
    const h = leafHash(Buffer.from(`entry ${i}`));
    level0.push(h);
    range.append(h, (l, idx, hash) => nodes.set(`${l}/${idx}`, hash));
  }
  for (const tile of tilesForTree(size)) {
    // The tile body: its hashes at tree level 8L.
    const body = Buffer.concat(
      Array.from({ length: tile.width }, (_, i) => nodes.get(`${tile.level * 8}/${tile.index * 256 + i}`)!),
    );
    for (const n of nodesFromTile(tile, body)) {
      assert.deepEqual(n.hash, nodes.get(`${n.level}/${n.index}`), `node ${n.level}/${n.index} from tile`);
      const c = tileCoordsForNode(n.level, n.index);
      if (n.level % 8 !== 0 || n.level === tile.level * 8)
        assert.deepEqual(c.tile, { level: tile.level, index: tile.index });
    }
  }
  assert.deepEqual(tileCoordsForNode(3, 100), { tile: { level: 0, index: 3 }, offsetLevel: 3, offsetIndex: 4 });
  assert.deepEqual(tileCoordsForNode(8, 300), { tile: { level: 1, index: 1 }, offsetLevel: 0, offsetIndex: 44 });
  assert.throws(() => nodesFromTile({ level: 0, index: 0 }, Buffer.alloc(33)), /hashes/);
  assert.throws(() => nodesFromTile({ level: 0, index: 0, width: 2 }, Buffer.alloc(32)), /expected 2/);
});

test('tileNodeReader: proofs built from tiles equal proofs from stored nodes', async () => {
  const nodes = new Map<string, Buffer>();
  const range = CompactRange.empty();
  const size = 256 * 256 + 256 * 5 + 77;
  for (let i = 0; i < size; i++)
    range.append(leafHash(Buffer.from(`e${i}`)), (l, idx, h) => nodes.set(`${l}/${idx}`, h));
  const read = (l: number, i: number) => nodes.get(`${l}/${i}`)!;
  const fetched: string[] = [];
  const tiles = tileNodeReader(size, async (tile) => {
    fetched.push(pathOf(tile));
    return Buffer.concat(Array.from({ length: tile.width }, (_, i) => read(tile.level * 8, tile.index * 256 + i)));
  });
  assert.deepEqual(await rootAt(size, tiles), range.root());
  for (const i of [0, 1, 255, 256, 65535, 65536, size - 1]) {
    assert.deepEqual(await inclusionProof(i, size, tiles), await inclusionProof(i, size, read), `index ${i}`);
  }
  assert.deepEqual(await consistencyProof(1000, size, tiles), await consistencyProof(1000, size, read));
  assert.equal(new Set(fetched).size, fetched.length, 'each tile is fetched once');
  assert.ok(fetched.includes('tile/0/261.p/77') && fetched.includes('tile/1/001.p/5'), fetched.join(' '));
  await assert.rejects(() => Promise.resolve(tiles(0, size)), /not complete/);
});
