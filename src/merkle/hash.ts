import { hash } from 'node:crypto';

/**
 * RFC 6962 / RFC 9162 hashing. One-shot `crypto.hash` over a prefixed copy is faster than a streaming Hash object
 * for the short inputs a Merkle tree sees (a 65-byte node, a few-KB leaf).
 */

const EMPTY_ROOT = hash('sha256', Buffer.alloc(0), 'buffer');

/** SHA-256(0x00 || leaf): the hash of one log entry. */
export function leafHash(leaf: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(leaf.length + 1);
  b[0] = 0x00;
  b.set(leaf, 1);
  return hash('sha256', b, 'buffer');
}

/** SHA-256(0x01 || left || right): an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  const b = Buffer.allocUnsafe(left.length + right.length + 1);
  b[0] = 0x01;
  b.set(left, 1);
  b.set(right, 1 + left.length);
  return hash('sha256', b, 'buffer');
}

/** The root of the empty tree, SHA-256(""). */
export function emptyRoot(): Buffer {
  return Buffer.from(EMPTY_ROOT);
}

/** MTH(D[n]) over already-computed leaf hashes (RFC 9162 §2.1.1), built bottom-up in O(n). */
export function rootHash(leafHashes: readonly Uint8Array[]): Buffer {
  if (leafHashes.length === 0) return emptyRoot();
  let level: Uint8Array[] = [...leafHashes];
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    // An odd node is promoted unchanged: RFC 6962 splits at the largest power of two below n.
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return Buffer.from(level[0]!);
}
