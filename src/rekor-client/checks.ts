import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { SignetError, verificationFailed } from '../errors.js';
import { leafHash } from '../merkle/index.js';
import {
  verifyCheckpoint,
  verifyTransparencyLogEntry,
  verifyTreeConsistency,
  type TlogAuthority,
  type TlogVerification,
} from '../verify/index.js';
import type { ParsedLogEntry } from './log-entry.js';
import type { RekorClient } from './rekor-client.js';
import { toTransparencyLogEntry } from './tle.js';
import { loadTreeState, saveTreeState, type TreeState } from './tree-state.js';
import type { LogInfo } from './types.js';

/**
 * The log as a trusted authority for what rekor-cli checks: its key pinned from a file, or else fetched from the
 * log itself (trust on first use, as rekor-cli does without `rekor_server_public_key`).
 */
export async function logAuthorityFor(
  client: RekorClient,
  pinnedPem?: string,
  treeId?: string,
): Promise<TlogAuthority> {
  const pem = pinnedPem ?? (await client.getPublicKey(treeId));
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(pem);
  } catch (e) {
    throw new SignetError('invalid-input', "the log's public key is not a PEM public key", { cause: e });
  }
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return {
    logId: createHash('sha256').update(der).digest(),
    publicKey,
    baseUrl: client.baseUrl,
    validFor: { start: new Date(0) },
  };
}

/** The decimal tree ID inside an 80-hex entry ID (undefined for a bare 64-hex UUID). */
export function treeIdOf(entryId: string): string | undefined {
  return entryId.length === 80 ? BigInt('0x' + entryId.slice(0, 16)).toString() : undefined;
}

/** rekor-cli's VerifyLogEntry: the body hashes to the UUID, then SET, inclusion proof and checkpoint. */
export function verifyLogEntry(found: ParsedLogEntry, log: TlogAuthority, now?: Date): TlogVerification {
  const leaf = Buffer.from(leafHash(Buffer.from(found.entry.body, 'base64'))).toString('hex');
  if (leaf !== found.uuid.slice(-64))
    throw verificationFailed(`the entry body does not hash to its uuid ${found.uuid}`);
  const tle = toTransparencyLogEntry(found.uuid, found.entry);
  return verifyTransparencyLogEntry(tle, [log], {
    requireInclusionProof: true,
    requireSet: true,
    ...(now ? { now } : {}),
  });
}

export interface LogInfoCheck {
  info: LogInfo;
  /** The saved state this one was checked against, if any. */
  previous?: TreeState;
}

/**
 * Verifies the signed tree head (`info`, as the client just fetched it) and its consistency with the last one seen (kept at `statePath`), then saves it (no state path: the signature only).
 * An inconsistent log is a verification failure and the saved state is left as it was.
 */
export async function checkLogInfo(
  client: RekorClient,
  log: TlogAuthority,
  statePath: string | undefined,
  info: LogInfo,
): Promise<LogInfoCheck> {
  const rootHash = Buffer.from(info.rootHash, 'hex');
  if (rootHash.length !== 32) throw verificationFailed('the log info root hash is not 32 bytes of hex');
  verifyCheckpoint(info.signedTreeHead, log.publicKey, { logIndex: 0, treeSize: info.treeSize, rootHash }, log.baseUrl);
  if (statePath === undefined) return { info };
  const previous = loadTreeState(statePath);
  if (previous) {
    const proof =
      previous.treeSize > 0 && previous.treeSize < info.treeSize
        ? await client.getConsistencyProof(previous.treeSize, info.treeSize, info.treeID)
        : { rootHash: info.rootHash, hashes: [] };
    if (proof.rootHash.toLowerCase() !== info.rootHash.toLowerCase()) {
      throw verificationFailed('the consistency proof is for a different root than the signed tree head');
    }
    verifyTreeConsistency(
      { treeSize: previous.treeSize, rootHash: Buffer.from(previous.rootHash, 'hex') },
      { treeSize: info.treeSize, rootHash },
      proof.hashes.map((h) => Buffer.from(h, 'hex')),
    );
  }
  saveTreeState(statePath, {
    treeSize: info.treeSize,
    rootHash: info.rootHash.toLowerCase(),
    treeID: info.treeID,
    signedTreeHead: info.signedTreeHead,
  });
  return previous ? { info, previous } : { info };
}
