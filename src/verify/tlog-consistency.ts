import { verificationFailed } from '../errors.js';
import { verifyConsistency } from '../merkle/index.js';

export interface TreeHead {
  treeSize: number;
  rootHash: Buffer;
}

/**
 * An older tree head must be a prefix of a newer one: same root at the same size, and an RFC 6962 consistency
 * proof between different sizes. A log that shrank or forked fails here.
 */
export function verifyTreeConsistency(older: TreeHead, newer: TreeHead, proof: Buffer[]): void {
  if (newer.treeSize < older.treeSize) {
    throw verificationFailed(`the log shrank from ${older.treeSize} to ${newer.treeSize} entries`);
  }
  if (newer.treeSize === older.treeSize) {
    if (!newer.rootHash.equals(older.rootHash))
      throw verificationFailed(`two different roots for tree size ${newer.treeSize}`);
    return;
  }
  if (older.treeSize === 0) return;
  if (!verifyConsistency(older.treeSize, newer.treeSize, proof, older.rootHash, newer.rootHash)) {
    throw verificationFailed(
      `tree of size ${newer.treeSize} is not consistent with the earlier tree of size ${older.treeSize}`,
    );
  }
}
