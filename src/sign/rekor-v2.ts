import { X509Certificate } from 'node:crypto';
import type { DsseEnvelope, TransparencyLogEntry } from '../bundle/index.js';
import { keyDetails } from '../crypto/index.js';
import { SignetError } from '../errors.js';
import { postJson, type FetchLike } from './http-json.js';
import type { Signer } from './signer.js';

type Json = Record<string, unknown>;

/**
 * The `Verifier` of a Rekor v2 request for a signer: its leaf certificate (keyless) or its public key, with the
 * key details naming the signing algorithm. Ed25519 keys log Ed25519ph signatures (hashedrekord holds a digest).
 */
export function v2Verifier(signer: Signer): Json {
  const details = keyDetails(signer.publicKey);
  const leaf = signer.certificateChainPem?.[0];
  const material = leaf
    ? { x509Certificate: { rawBytes: new X509Certificate(leaf).raw.toString('base64') } }
    : { publicKey: { rawBytes: signer.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') } };
  return { ...material, keyDetails: details === 'PKIX_ED25519' ? 'PKIX_ED25519_PH' : details };
}

/** `CreateEntryRequest` for a message signature: hashedrekord 0.0.2 over the artifact digest. */
export function hashedRekordV2Request(signer: Signer, digest: Buffer, signature: Buffer): Json {
  return {
    hashedRekordRequestV002: {
      digest: digest.toString('base64'),
      signature: { content: signature.toString('base64'), verifier: v2Verifier(signer) },
    },
  };
}

/**
 * `CreateEntryRequest` for an attestation: dsse 0.0.2 with the envelope and its signer, as sigstore-js sends it.
 * (rekor-tiles 2.3 dropped dsse and wants hashedrekord over the PAE digest instead; @sigstore/verify 3.x cannot
 * check that form, so signet logs dsse 0.0.2, which its own log and both verifiers accept.)
 */
export function dsseV2Request(signer: Signer, envelope: DsseEnvelope): Json {
  return {
    dsseRequestV002: {
      envelope: {
        payload: envelope.payload,
        payloadType: envelope.payloadType,
        signatures: envelope.signatures.map((s) => ({ sig: s.sig, keyid: s.keyid ?? '' })),
      },
      verifiers: [v2Verifier(signer)],
    },
  };
}

/**
 * POSTs a `CreateEntryRequest` to `<url>/api/v2/log/entries` and returns the bundle's TransparencyLogEntry.
 * Rekor v2 answers only once a checkpoint covers the entry, so the timeout is at least 20 s (rekor-tiles'
 * CLIENTS.md); 5xx and 429 are retried. Refuses an answer without an inclusion proof and checkpoint.
 */
export async function uploadV2Entry(
  url: string,
  request: Json,
  options: { fetch?: FetchLike; retries?: number; retryDelayMs?: number } = {},
): Promise<TransparencyLogEntry> {
  const { json } = await postJson('rekor v2', `${url.replace(/\/+$/, '')}/api/v2/log/entries`, request, {
    timeoutMs: 30_000,
    ...options,
  });
  return toBundleEntry(url, json);
}

/** The answer as a bundle entry: same fields, without the unset `integratedTime` "0" and `inclusionPromise`. */
function toBundleEntry(url: string, json: unknown): TransparencyLogEntry {
  const e = (json ?? {}) as Json;
  const proof = e.inclusionProof as TransparencyLogEntry['inclusionProof'] | undefined;
  const kv = e.kindVersion as TransparencyLogEntry['kindVersion'] | undefined;
  const logId = e.logId as TransparencyLogEntry['logId'] | undefined;
  const ok =
    typeof e.logIndex === 'string' &&
    typeof logId?.keyId === 'string' &&
    typeof kv?.kind === 'string' &&
    typeof e.canonicalizedBody === 'string' &&
    typeof proof?.checkpoint?.envelope === 'string' &&
    Array.isArray(proof.hashes);
  if (!ok) {
    throw new SignetError('internal', `rekor v2 at ${url} answered without an entry, inclusion proof and checkpoint`);
  }
  return {
    logIndex: e.logIndex as string,
    logId: { keyId: logId!.keyId },
    kindVersion: { kind: kv!.kind, version: kv!.version },
    inclusionProof: {
      logIndex: proof!.logIndex,
      rootHash: proof!.rootHash,
      treeSize: proof!.treeSize,
      hashes: proof!.hashes,
      checkpoint: { envelope: proof!.checkpoint!.envelope },
    },
    canonicalizedBody: e.canonicalizedBody as string,
  };
}
