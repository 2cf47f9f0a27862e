/** RFC 6962 / RFC 9162 Merkle trees and C2SP tlog-tiles coordinates. Pure: no I/O. */
export { emptyRoot, leafHash, nodeHash, rootHash } from './hash.js';
export { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify.js';
export type { NodeId } from './node-id.js';
export { consistencyProofNodes, foldProof, inclusionProofNodes, rootNodes, type ProofNodes } from './proof-nodes.js';
export { consistencyProof, inclusionProof, rootAt, type NodeReader } from './proofs.js';
export { CompactRange, type OnNode } from './compact-range.js';
export {
  encodeEntryBundle,
  entriesPath,
  MAX_BUNDLED_ENTRY_BYTES,
  nodesFromTile,
  parseTilePath,
  tileCoordsForNode,
  tilePath,
  tilesForTree,
  tileWidth,
  TILE_HEIGHT,
  TILE_WIDTH,
  type ParsedTilePath,
  type TileId,
} from './tiles.js';
export { tileNodeReader, type TileFetcher } from './tile-reader.js';
