import { preAuthEncoding } from '../../bundle/index.js';
import { invalidInput } from '../../errors.js';
import { decodeDsseBase64, isObject, requireArray, requireString } from './spec-input.js';
import type { X509PublicKey } from './x509-public-key.js';
import { verifyX509Message } from './x509-verify.js';

/** A DSSE envelope (secure-systems-lab/dsse): payload and signatures are base64 strings kept verbatim. */
export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const MAX_SIGNATURES = 64;

/**
 * Parses the envelope JSON text a dsse or intoto 0.0.1 entry carries. Like Rekor (Go's json.Unmarshal), fields
 * DSSE does not define are ignored: the envelope is only hashed and verified, never stored.
 */
export function parseEnvelopeJson(text: string, path: string): DsseEnvelope {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalidInput(`${path}: not valid JSON`);
  }
  if (!isObject(raw)) throw invalidInput(`${path}: must be a JSON object`);
  const payloadType = requireString(raw.payloadType, `${path}.payloadType`);
  const payload = requireString(raw.payload, `${path}.payload`);
  const sigs = requireArray(raw.signatures, `${path}.signatures`, MAX_SIGNATURES);
  const signatures = sigs.map((s, i) => {
    const p = `${path}.signatures[${i}]`;
    if (!isObject(s)) throw invalidInput(`${p}: must be an object`);
    const keyid = s.keyid === undefined || s.keyid === null ? '' : requireString(s.keyid, `${p}.keyid`, 1024);
    return { keyid, sig: requireString(s.sig, `${p}.sig`) };
  });
  return { payloadType, payload, signatures };
}

/**
 * Checks the envelope the way Rekor's `verifyEnvelope` does with go-securesystemslib: each supplied key, in order,
 * accepts the first signature it verifies (one per key) and must accept one; every signature must end up accepted
 * by some key, the last key to accept it winning. dsse 0.0.1 stops trying keys once every signature is accepted
 * (`stopWhenAllVerified`); intoto 0.0.2 tries them all. Certificate chains are not checked here (Rekor loads
 * only the leaf's key for DSSE). Returns the decoded payload and the key per signature.
 */
export function verifyEnvelope(
  env: DsseEnvelope,
  keys: X509PublicKey[],
  path: string,
  stopWhenAllVerified: boolean,
): { payload: Buffer; keyBySig: Map<string, X509PublicKey> } {
  if (env.signatures.length === 0) throw invalidInput(`${path}: DSSE envelope must contain 1 or more signatures`);
  const payload = decodeDsseBase64(env.payload, `${path}.payload`);
  const pae = preAuthEncoding(env.payloadType, payload);
  const sigBytes = env.signatures.map((s, i) => decodeDsseBase64(s.sig, `${path}.signatures[${i}].sig`));
  const distinct = new Set(env.signatures.map((s) => s.sig)).size;
  const keyBySig = new Map<string, X509PublicKey>();
  for (let k = 0; k < keys.length; k++) {
    if (stopWhenAllVerified && keyBySig.size === distinct) break;
    const key = keys[k]!;
    const i = env.signatures.findIndex((_, j) => verifyX509Message(key.key, pae, sigBytes[j]!));
    if (i < 0) throw invalidInput(`could not verify envelope: verifier ${k} verifies none of the signatures`);
    keyBySig.set(env.signatures[i]!.sig, key);
  }
  const unverified = env.signatures.findIndex((s) => !keyBySig.has(s.sig));
  if (unverified >= 0) {
    throw invalidInput(`all signatures must have a key that verifies it: signature ${unverified} is not verified`);
  }
  return { payload, keyBySig };
}
