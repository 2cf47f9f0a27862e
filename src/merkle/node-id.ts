/**
 * Node arithmetic for trees of up to 2^53 leaves. JS bit operators truncate to 32 bits, so levels and indexes are
 * handled with exact power-of-two multiplication and floor division instead.
 */

/** A perfect subtree: `level` 0 is a leaf; (level, index) covers leaves [index·2^level, (index+1)·2^level). */
export interface NodeId {
  level: number;
  index: number;
}

export const pow2 = (n: number): number => 2 ** n;

/** floor(n / 2^k), exact for safe integers. */
export const shiftRight = (n: number, k: number): number => Math.floor(n / pow2(k));

/** The number of trailing zero bits of n > 0. */
export function trailingZeros(n: number): number {
  let k = 0;
  while (n % 2 === 0) {
    n /= 2;
    k++;
  }
  return k;
}

/** The sibling of a node at the same level. */
export const sibling = (id: NodeId): NodeId => ({
  level: id.level,
  index: id.index % 2 === 0 ? id.index + 1 : id.index - 1,
});

/**
 * The perfect subtrees covering [start, start + count), left to right (largest first), for a `start` aligned to a
 * power of two at least as large as `count` (true of every range a proof or a tree edge needs).
 */
export function alignedRange(start: number, count: number): NodeId[] {
  const ids: NodeId[] = [];
  let pos = start;
  for (let level = Math.floor(Math.log2(Math.max(count, 1))) + 1; level >= 0; level--) {
    const width = pow2(level);
    if (count >= width && Math.floor(count / width) % 2 === 1) {
      ids.push({ level, index: pos / width });
      pos += width;
    }
  }
  return ids;
}

export function isSafeSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}
