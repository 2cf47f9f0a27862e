import { nodeHash } from './hash.js';

/**
 * RFC 9162 §2.1.3.2 / §2.1.4.2 proof verification with transparency-dev/merkle's edge rules. Every function returns
 * false (never throws) for malformed input: wrong lengths, out-of-range indexes, non-integer sizes.
 */

const isSize = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
const isHash = (h: unknown): h is Uint8Array => h instanceof Uint8Array && h.length === 32;

/** Halves `n` (floor) for any safe integer, where `>>` would truncate to 32 bits. */
const half = (n: number) => Math.floor(n / 2);
const odd = (n: number) => n % 2 === 1;

/**
 * The root an inclusion proof leads to from `leafHash` at `index` in a tree of `size`, or undefined when the
 * proof is malformed (too short, too long, a hash that is not 32 bytes).
 */
export function rootFromInclusionProof(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
): Buffer | undefined {
  if (!isSize(index) || !isSize(size) || index >= size || !isHash(leafHash) || !Array.isArray(proof)) return undefined;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (!isHash(p) || sn === 0) return undefined;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      // Skip the levels where this node is a left child with no right sibling.
      if (!odd(fn)) while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 ? Buffer.from(r) : undefined;
}

/** True when `proof` shows `leafHash` at `index` in the tree of `size` with root `root`. */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const r = rootFromInclusionProof(leafHash, index, size, proof);
  return r !== undefined && isHash(root) && r.equals(root);
}

/**
 * True when `proof` shows the tree of `size1` with `root1` is a prefix of the tree of `size2` with `root2`.
 * size1 = 0 is rejected (there is nothing to prove, and transparency-dev/merkle treats it as an error).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (!isSize(size1) || !isSize(size2) || size1 === 0 || size1 > size2) return false;
  if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array) || !Array.isArray(proof)) return false;
  // Equal sizes: the roots must be the same bytes (transparency-dev/merkle compares without a length check).
  if (size1 === size2) return proof.length === 0 && Buffer.from(root1).equals(root2);
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  if (proof.length === 0) return false;
  // When size1 is a power of two its root is the first node of the path and is left out of the proof.
  const path = powerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn)) while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(fr).equals(root1) && Buffer.from(sr).equals(root2);
}

function powerOfTwo(n: number): boolean {
  while (n > 1 && !odd(n)) n = half(n);
  return n === 1;
}
