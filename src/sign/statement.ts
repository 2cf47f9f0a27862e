import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { IN_TOTO_PAYLOAD_TYPE, preAuthEncoding, type DsseEnvelope } from '../bundle/index.js';
import { invalidInput } from '../errors.js';
import { signBytes, type Signer } from './signer.js';

export const IN_TOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
/** cosign's `--type custom` predicate type. */
export const COSIGN_CUSTOM_PREDICATE = 'https://cosign.sigstore.dev/attestation/v1';

export interface InTotoStatement {
  _type: string;
  subject: { name: string; digest: Record<string, string> }[];
  predicateType: string;
  predicate: unknown;
}

/**
 * The predicate as cosign builds it from `--predicate FILE`: the custom type wraps the raw text with a timestamp
 * (`{Data, Timestamp}`); every other type must be a JSON object.
 */
export function predicateFrom(predicateType: string, content: Buffer, now: Date = new Date()): unknown {
  if (predicateType === COSIGN_CUSTOM_PREDICATE) {
    return { Data: content.toString('utf8'), Timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z') };
  }
  let value: unknown;
  try {
    value = JSON.parse(content.toString('utf8'));
  } catch {
    throw invalidInput(`the predicate for ${predicateType} is not JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidInput(`the predicate for ${predicateType} must be a JSON object`);
  }
  return value;
}

/** An in-toto v1 statement about one blob (subject: its base name and sha256). */
export function blobStatement(artifactName: string, artifact: Buffer, predicateType: string, predicate: unknown) {
  const statement: InTotoStatement = {
    _type: IN_TOTO_STATEMENT_V1,
    subject: [
      { name: basename(artifactName), digest: { sha256: createHash('sha256').update(artifact).digest('hex') } },
    ],
    predicateType,
    predicate,
  };
  return statement;
}

/** Signs `payload` into a DSSE envelope (one signature, empty keyid omitted like cosign v3). */
export function signEnvelope(signer: Signer, payload: Buffer, payloadType = IN_TOTO_PAYLOAD_TYPE): DsseEnvelope {
  const sig = signBytes(signer, preAuthEncoding(payloadType, payload));
  return { payload: payload.toString('base64'), payloadType, signatures: [{ sig: sig.toString('base64') }] };
}
