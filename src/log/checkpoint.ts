import { formatCheckpoint, rekorNoteSigner, signNote } from '../note/index.js';
import type { LogIdentity } from './identity.js';

/** Signs the checkpoint for a tree size and root (one call per sequencer batch). */
export type CheckpointSigner = (size: number, rootHash: Buffer) => Promise<string>;

/**
 * Rekor v1 checkpoints: origin `<hostname> - <treeID>`, one signature line named `<hostname>` whose key hint is the
 * first 4 bytes of SHA-256(DER SPKI) (the logID prefix) for every key type, as Rekor v1 signs.
 */
export function rekorCheckpointSigner(identity: LogIdentity, hostname: string, origin: string): CheckpointSigner {
  const signer = rekorNoteSigner(hostname, identity.privateKey);
  return async (size, rootHash) => signNote(formatCheckpoint({ origin, size, rootHash }), [signer]);
}
