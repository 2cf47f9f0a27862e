import type { TransparencyLogEntry } from '../bundle/index.js';

/** cosign's old blob bundle (`--new-bundle-format=false`; cosign.LocalSignedPayload). */
export interface LegacyBlobBundle {
  base64Signature: string;
  cert?: string;
  rekorBundle?: {
    SignedEntryTimestamp: string;
    Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
  };
}

/**
 * Builds the old cosign bundle: `cert` is base64 of the PEM certificate (or of the PEM public key for key-based
 * signing), `rekorBundle` the SET and the entry as Rekor returned it (logID in hex).
 */
export function legacyBlobBundle(
  signature: Buffer,
  verifierPem: string,
  tlogEntry: TransparencyLogEntry | undefined,
): LegacyBlobBundle {
  const out: LegacyBlobBundle = {
    base64Signature: signature.toString('base64'),
    cert: Buffer.from(verifierPem).toString('base64'),
  };
  if (tlogEntry?.inclusionPromise) {
    out.rekorBundle = {
      SignedEntryTimestamp: tlogEntry.inclusionPromise.signedEntryTimestamp,
      Payload: {
        body: tlogEntry.canonicalizedBody,
        integratedTime: Number(tlogEntry.integratedTime ?? 0),
        logIndex: Number(tlogEntry.logIndex),
        logID: Buffer.from(tlogEntry.logId.keyId, 'base64').toString('hex'),
      },
    };
  }
  return out;
}
