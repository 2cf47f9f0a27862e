import type { EntryWithProof, LogInfo } from '../log.js';

/** Rekor's `LogEntryAnon` as JSON: numbers are numbers, hashes hex, bytes base64. */
export interface LogEntryAnonJson {
  body: string;
  integratedTime: number;
  logID: string;
  logIndex: number;
  verification: {
    signedEntryTimestamp: string;
    inclusionProof: { logIndex: number; rootHash: string; treeSize: number; hashes: string[]; checkpoint: string };
  };
  attestation?: { data: string };
}

/** Rekor's `LogEntry`: one key, the 80-hex entry ID. Attestations are only returned on reads, as Rekor does. */
export function logEntryJson(
  e: EntryWithProof,
  logId: string,
  withAttestation: boolean,
): Record<string, LogEntryAnonJson> {
  const { entry, proof } = e;
  const anon: LogEntryAnonJson = {
    body: entry.body.toString('base64'),
    integratedTime: entry.integratedTime,
    logID: logId,
    logIndex: entry.logIndex,
    verification: {
      signedEntryTimestamp: entry.signedEntryTimestamp.toString('base64'),
      inclusionProof: {
        logIndex: proof.logIndex,
        rootHash: proof.rootHash.toString('hex'),
        treeSize: proof.treeSize,
        hashes: proof.hashes.map((h) => h.toString('hex')),
        checkpoint: proof.checkpoint,
      },
    },
  };
  if (withAttestation && entry.attestation) anon.attestation = { data: entry.attestation.data.toString('base64') };
  return { [e.entryId]: anon };
}

/**
 * `JSON.stringify(logEntryJson(e, logId, withAttestation))`, written directly: the answer to every upload, where
 * building the object and serializing it was a measurable part of the event loop's time per entry. Every field but
 * the entry ID, log ID and checkpoint is a number, hex or base64, which JSON carries as they are.
 */
export function logEntryJsonText(e: EntryWithProof, logId: string, withAttestation: boolean): string {
  const { entry, proof } = e;
  let hashes = '';
  for (const h of proof.hashes) hashes += `${hashes ? ',' : ''}"${h.toString('hex')}"`;
  const attestation =
    withAttestation && entry.attestation
      ? `,"attestation":{"data":"${entry.attestation.data.toString('base64')}"}`
      : '';
  return (
    `{${JSON.stringify(e.entryId)}:{"body":"${entry.body.toString('base64')}","integratedTime":${entry.integratedTime},` +
    `"logID":${JSON.stringify(logId)},"logIndex":${entry.logIndex},"verification":{"signedEntryTimestamp":` +
    `"${entry.signedEntryTimestamp.toString('base64')}","inclusionProof":{"logIndex":${proof.logIndex},` +
    `"rootHash":"${proof.rootHash.toString('hex')}","treeSize":${proof.treeSize},"hashes":[${hashes}],` +
    `"checkpoint":${JSON.stringify(proof.checkpoint)}}}${attestation}}}`
  );
}

/** Rekor's `LogInfo`: treeID is a decimal string (so jq does not round it). */
export function logInfoJson(info: LogInfo) {
  return {
    rootHash: info.head.rootHash.toString('hex'),
    treeSize: info.head.size,
    signedTreeHead: info.head.checkpoint,
    treeID: info.treeId,
    inactiveShards: [],
  };
}
