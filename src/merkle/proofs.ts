import { emptyRoot } from './hash.js';
import type { NodeId } from './node-id.js';
import { consistencyProofNodes, foldProof, inclusionProofNodes, rootNodes } from './proof-nodes.js';

/**
 * Reads the hash of the perfect subtree at `level` covering leaves [index·2^level, (index+1)·2^level). Proof
 * builders only ever ask for nodes of a tree that exist (are complete) at the size they were given.
 */
export type NodeReader = (level: number, index: number) => Buffer | Promise<Buffer>;

/** Reads every node; stays synchronous-fast when the reader answers from memory. */
async function readAll(ids: readonly NodeId[], read: NodeReader): Promise<Buffer[]> {
  const out = ids.map((id) => read(id.level, id.index));
  return out.some((h) => h instanceof Promise) ? Promise.all(out) : (out as Buffer[]);
}

/** The RFC 9162 inclusion proof (leaf to root) for leaf `index` in the tree of `size`. */
export async function inclusionProof(index: number, size: number, read: NodeReader): Promise<Buffer[]> {
  const nodes = inclusionProofNodes(index, size);
  return foldProof(nodes, await readAll(nodes.ids, read));
}

/** The RFC 9162 consistency proof from the tree of `size1` to the tree of `size2`. */
export async function consistencyProof(size1: number, size2: number, read: NodeReader): Promise<Buffer[]> {
  const nodes = consistencyProofNodes(size1, size2);
  return foldProof(nodes, await readAll(nodes.ids, read));
}

/** The root hash of the tree of `size`, from its compact range. */
export async function rootAt(size: number, read: NodeReader): Promise<Buffer> {
  const nodes = rootNodes(size);
  if (nodes.ids.length === 0) return emptyRoot();
  return foldProof(nodes, await readAll(nodes.ids, read))[0]!;
}
