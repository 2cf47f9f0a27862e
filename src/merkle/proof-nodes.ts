import { invalidInput } from '../errors.js';
import { nodeHash } from './hash.js';
import { alignedRange, isSafeSize, pow2, shiftRight, sibling, trailingZeros, type NodeId } from './node-id.js';

/**
 * Which stored (perfect-subtree) nodes a proof needs, so a storage layer can fetch them in one batch.
 * `ids[foldBegin..foldEnd)` stand for one node that is not stored (the ephemeral right-border subtree of a tree
 * whose size is not a power of two); they are listed right to left and `foldProof` hashes them into that node.
 */
export interface ProofNodes {
  ids: NodeId[];
  foldBegin: number;
  foldEnd: number;
}

/** Nodes for the inclusion proof of leaf `index` in the tree of `size` (throws invalid-input when out of range). */
export function inclusionProofNodes(index: number, size: number): ProofNodes {
  if (!isSafeSize(index) || !isSafeSize(size) || index >= size) {
    throw invalidInput(`leaf index ${index} is not inside a tree of size ${size}`);
  }
  return skipFirst(pathNodes({ level: 0, index }, size));
}

/** Nodes for the consistency proof from size1 to size2 (RFC 9162 §2.1.4); empty when size1 is 0 or equal. */
export function consistencyProofNodes(size1: number, size2: number): ProofNodes {
  if (!isSafeSize(size1) || !isSafeSize(size2) || size1 > size2) {
    throw invalidInput(`cannot prove consistency from tree size ${size1} to ${size2}`);
  }
  if (size1 === 0 || size1 === size2) return { ids: [], foldBegin: 0, foldEnd: 0 };
  // The seed is the largest perfect subtree ending at size1; when size1 is a power of two it is the old root
  // itself, which the verifier already holds.
  const level = trailingZeros(size1);
  const seed = { level, index: size1 / pow2(level) - 1 };
  const nodes = pathNodes(seed, size2);
  return seed.index === 0 ? skipFirst(nodes) : nodes;
}

/** Nodes whose fold is the root of the tree of `size` (its compact range); none for the empty tree. */
export function rootNodes(size: number): ProofNodes {
  if (!isSafeSize(size)) throw invalidInput(`tree size ${size} is not a non-negative integer`);
  const ids = alignedRange(0, size).reverse();
  return { ids, foldBegin: 0, foldEnd: ids.length };
}

/** Replaces the fold block of `hashes` (one per id, in order) by the single node it stands for. */
export function foldProof(nodes: ProofNodes, hashes: readonly Buffer[]): Buffer[] {
  if (hashes.length !== nodes.ids.length) throw new Error('proof fold needs one hash per node');
  const { foldBegin: b, foldEnd: e } = nodes;
  if (e - b < 2) return [...hashes];
  let acc = hashes[b]!;
  for (let i = b + 1; i < e; i++) acc = nodeHash(hashes[i]!, acc);
  return [...hashes.slice(0, b), acc, ...hashes.slice(e)];
}

/**
 * The seed node followed by the nodes proving it is in the tree of `size`: its siblings up to the fork (where its
 * path leaves the tree's right border), the ephemeral sibling of the fork (as its stored parts), then the fork's
 * left neighbours from low to high levels.
 */
function pathNodes(seed: NodeId, size: number): ProofNodes {
  const border = shiftRight(size, seed.level);
  let inner = 0;
  while (shiftRight(seed.index, inner + 1) !== shiftRight(border, inner + 1)) inner++;
  const forkLevel = seed.level + inner;
  const forkStart = shiftRight(seed.index, inner) * pow2(forkLevel);
  const forkEnd = forkStart + pow2(forkLevel);

  const ids: NodeId[] = [seed];
  for (let n = seed; n.level < forkLevel; n = { level: n.level + 1, index: shiftRight(n.index, 1) }) {
    ids.push(sibling(n));
  }
  const foldBegin = ids.length;
  if (forkEnd < size) ids.push(...alignedRange(forkEnd, size - forkEnd).reverse());
  const foldEnd = ids.length;
  ids.push(...alignedRange(0, forkStart).reverse());
  return { ids, foldBegin, foldEnd };
}

function skipFirst(n: ProofNodes): ProofNodes {
  return { ids: n.ids.slice(1), foldBegin: Math.max(n.foldBegin - 1, 0), foldEnd: Math.max(n.foldEnd - 1, 0) };
}
