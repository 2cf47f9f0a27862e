import { SignetError, invalidInput } from '../errors.js';

const UUID = /^(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{80})$/;

/** A parsed `entryUUID` path or query value: the leaf hash, and the tree ID when it was an 80-character entry ID. */
export interface ParsedEntryId {
  leafHash: Buffer;
  /** 16 lower-case hex digits, present for 80-character IDs. */
  treeIdHex?: string;
}

/**
 * Parses a 64-hex UUID or an 80-hex entry ID (16-hex tree ID + UUID), as Rekor's sharding package does: the tree
 * ID must be a non-zero int64. Throws 'invalid-input' otherwise.
 */
export function parseEntryId(value: unknown): ParsedEntryId {
  if (typeof value !== 'string' || !UUID.test(value)) {
    throw invalidInput('entry UUID must be 64 or 80 hexadecimal characters');
  }
  const lower = value.toLowerCase();
  if (lower.length === 64) return { leafHash: Buffer.from(lower, 'hex') };
  const treeIdHex = lower.slice(0, 16);
  const id = BigInt('0x' + treeIdHex);
  if (id === 0n || id > 0x7fff_ffff_ffff_ffffn) {
    throw new SignetError('invalid-input', `invalid tree ID ${treeIdHex} in entry ID`);
  }
  return { treeIdHex, leafHash: Buffer.from(lower.slice(16), 'hex') };
}

/** The 80-character entry ID Rekor returns: tree ID (16 hex) followed by the leaf hash. */
export function entryIdOf(treeIdHex: string, leafHash: Buffer): string {
  return treeIdHex + leafHash.toString('hex');
}
