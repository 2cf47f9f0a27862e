import { concat, sha256 } from './bytes.js';

/** RFC 6962 leaf hash: SHA-256(0x00 || leaf). */
export function leafHash(leaf: Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  return sha256(concat(new Uint8Array([0]), leaf));
}

const nodeHash = (left: Uint8Array, right: Uint8Array) => sha256(concat(new Uint8Array([1]), left, right));

/**
 * The root hash an inclusion proof leads to (RFC 9162 section 2.1.3.2), for comparison with a signed root.
 * Throws when the proof has the wrong length for `index` in a tree of `size` leaves.
 */
export async function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: Uint8Array[],
): Promise<Uint8Array<ArrayBuffer>> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new Error(`leaf index ${index} is outside a tree of ${size}`);
  }
  // Plain numbers: safe up to 2^53 leaves; Math.floor division keeps them exact where >> would wrap at 2^31.
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (p.length !== 32) throw new Error('proof hashes must be 32 bytes');
    if (sn === 0) throw new Error('inclusion proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('inclusion proof is too short');
  return r as Uint8Array<ArrayBuffer>;
}
