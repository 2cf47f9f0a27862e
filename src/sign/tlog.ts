import type { TransparencyLogEntry } from '../bundle/index.js';
import { RekorClient, buildProposedEntry, toTransparencyLogEntry, type ProposedEntry } from '../rekor-client/index.js';
import { SignetError } from '../errors.js';
import { RETRYABLE_STATUS } from './http-json.js';
import { nodeFetch } from '../http-client/index.js';
import { setTimeout as sleep } from 'node:timers/promises';

/** hashedrekord 0.0.1 for a message signature: the digest (sha256, or the key's hash), base64 signature, base64 PEM of the key or cert. */
export function hashedRekordEntry(
  algorithm: 'sha256' | 'sha384' | 'sha512',
  digestHex: string,
  signature: Buffer,
  verifierPem: string,
): ProposedEntry {
  return buildProposedEntry('hashedrekord:0.0.1', {
    artifactHash: `${algorithm}:${digestHex}`,
    signature,
    publicKeys: [Buffer.from(verifierPem)],
    pkiFormat: 'x509',
  });
}

/**
 * dsse 0.0.1 for an attestation, as cosign v3 and sigstore-js send it: the envelope JSON as a string and the
 * signer's PEM (the certificate itself when keyless, so the log indexes its identity) base64-encoded.
 */
export function dsseEntry(envelopeJson: string, verifierPem: string): ProposedEntry {
  return buildProposedEntry('dsse:0.0.1', {
    artifact: Buffer.from(envelopeJson),
    publicKeys: [Buffer.from(verifierPem)],
    pkiFormat: 'x509',
  });
}

/**
 * Uploads the entry and returns it as a bundle's TransparencyLogEntry. Refuses an answer without an inclusion
 * proof and checkpoint (bundle v0.3 needs both) or without a SET.
 */
export async function uploadEntry(
  rekorUrl: string,
  entry: ProposedEntry,
  options: { retries: number; retryDelayMs: number } = { retries: 2, retryDelayMs: 1000 },
): Promise<TransparencyLogEntry> {
  const client = new RekorClient(rekorUrl, { fetch: nodeFetch });
  let created;
  for (let attempt = 0; ; attempt++) {
    try {
      created = await client.createEntry(entry);
      break;
    } catch (e) {
      // Creating an entry is idempotent (a duplicate answers 409 with the existing one), so retrying is safe.
      const status = e instanceof SignetError ? Number(e.detail.status) : NaN;
      if (attempt < options.retries && RETRYABLE_STATUS.has(status)) {
        await sleep(options.retryDelayMs * 2 ** attempt);
        continue;
      }
      if (e instanceof SignetError && !e.message.startsWith('rekor')) {
        throw new SignetError(e.code, `rekor: ${e.message}`, { cause: e, detail: e.detail });
      }
      throw e;
    }
  }
  const tle = toTransparencyLogEntry(created.uuid, created.entry);
  if (!tle.inclusionProof?.checkpoint) {
    throw new SignetError('internal', `rekor at ${rekorUrl} answered without an inclusion proof and checkpoint`);
  }
  if (!tle.inclusionPromise) {
    throw new SignetError('internal', `rekor at ${rekorUrl} answered without a signed entry timestamp`);
  }
  return tle;
}
