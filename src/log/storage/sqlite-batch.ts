import { asBuffer } from '../../workers/index.js';
import type { Batch, StoredEntry, TreeNode } from './store.js';

/**
 * A Batch flattened for the SQLite writer thread: numbers in one Float64Array, every blob in one byte array (both
 * transferred, not copied), strings in one array. Structured clone of the batch as objects cost the event loop a
 * serialization pass over every entry, node and Buffer of it; this is one copy of the bytes into place.
 * Hand-off claims are not carried: the SQLite store has none.
 */
export interface PackedBatch {
  entries: number;
  nodes: number;
  nums: Float64Array;
  bytes: Uint8Array;
  strings: string[];
}

const ENTRY_NUMS = 7; // logIndex, integratedTime, leafHash, body, SET and attestation lengths (-1: none), keys
const NODE_NUMS = 3; // level, index, hash length

export function packBatch(b: Batch): { packed: PackedBatch; transfer: ArrayBuffer[] } {
  let size = b.head.rootHash.length;
  for (const e of b.entries) {
    size += e.leafHash.length + e.body.length + e.signedEntryTimestamp.length + (e.attestation?.data.length ?? 0);
  }
  for (const n of b.nodes) size += n.hash.length;
  const nums = new Float64Array(b.entries.length * ENTRY_NUMS + b.nodes.length * NODE_NUMS + 2);
  const bytes = new Uint8Array(size);
  const strings: string[] = [];
  let i = 0;
  let at = 0;
  const put = (u: Uint8Array) => {
    bytes.set(u, at);
    at += u.length;
    return u.length;
  };
  for (const e of b.entries) {
    nums[i++] = e.logIndex;
    nums[i++] = e.integratedTime;
    nums[i++] = put(e.leafHash);
    nums[i++] = put(e.body);
    nums[i++] = put(e.signedEntryTimestamp);
    nums[i++] = e.attestation ? put(e.attestation.data) : -1;
    nums[i++] = e.indexKeys.length;
    strings.push(...e.indexKeys);
    if (e.attestation) strings.push(e.attestation.mediaType);
  }
  for (const n of b.nodes) {
    nums[i++] = n.level;
    nums[i++] = n.index;
    nums[i++] = put(n.hash);
  }
  nums[i] = b.head.size;
  nums[i + 1] = put(b.head.rootHash);
  strings.push(b.head.checkpoint);
  return {
    packed: { entries: b.entries.length, nodes: b.nodes.length, nums, bytes, strings },
    transfer: [nums.buffer as ArrayBuffer, bytes.buffer as ArrayBuffer],
  };
}

/** The Batch back, its Buffers views into the one byte array. */
export function unpackBatch(p: PackedBatch): Batch {
  const { nums, strings } = p;
  const bytes = asBuffer(p.bytes);
  let i = 0;
  let at = 0;
  let s = 0;
  const take = (length: number) => bytes.subarray(at, (at += length));
  const entries: StoredEntry[] = [];
  for (let k = 0; k < p.entries; k++) {
    const logIndex = nums[i++]!;
    const integratedTime = nums[i++]!;
    const leafHash = take(nums[i++]!);
    const body = take(nums[i++]!);
    const signedEntryTimestamp = take(nums[i++]!);
    const attLength = nums[i++]!;
    const attData = attLength >= 0 ? take(attLength) : undefined;
    const keyCount = nums[i++]!;
    const indexKeys = strings.slice(s, (s += keyCount));
    const e: StoredEntry = { logIndex, leafHash, integratedTime, body, signedEntryTimestamp, indexKeys };
    if (attData) e.attestation = { mediaType: strings[s++]!, data: attData };
    entries.push(e);
  }
  const nodes: TreeNode[] = [];
  for (let k = 0; k < p.nodes; k++) {
    const level = nums[i++]!;
    const index = nums[i++]!;
    nodes.push({ level, index, hash: take(nums[i++]!) });
  }
  const size = nums[i]!;
  const rootHash = take(nums[i + 1]!);
  return { entries, nodes, head: { size, rootHash, checkpoint: strings[s]! } };
}
