import { invalidInput } from '../../errors.js';
import { canonicalBody, indexKeySet, sha256Hex, type AdmittedEntry } from './admitted-entry.js';
import { verifierKeys } from './dsse.js';
import { IN_TOTO_PAYLOAD_TYPE, verifyEnvelope, type DsseEnvelope } from './dsse-envelope.js';
import { inTotoIndexKeys } from './in-toto-keys.js';
import {
  HEX,
  decodeStdBase64,
  isObject,
  onlyKnownFields,
  optionalString,
  requireArray,
  requireObject,
  requireString,
  type Json,
} from './spec-input.js';
import { parseX509PublicKey, type X509PublicKey } from './x509-public-key.js';

/**
 * intoto 0.0.2 (`rekor:pkg/types/intoto/v0.0.2`): a DSSE envelope given field by field, each signature with its
 * x509 public key. Its canonical form is frozen with Rekor's quirks: `payload` and each `sig` arrive base64-encoded
 * a second time, `content.hash` (the envelope hash) is the client's and is kept as given (in lower case), and the payload itself
 * is dropped from the leaf but kept as the entry's attestation.
 */
export const INTOTO = { kind: 'intoto', apiVersion: '0.0.2' } as const;
const MAX_SIGNATURES = 64;

interface IntotoSignature {
  keyid: string;
  sig: Buffer; // the envelope's signature string, as bytes
  publicKey: Buffer;
  key: X509PublicKey;
}

export function admitIntoto(spec: unknown, options: { maxAttestationBytes: number }): AdmittedEntry {
  const s = requireObject(spec, 'spec');
  onlyKnownFields(s, 'spec', ['content']);
  const content = requireObject(s.content, 'spec.content');
  onlyKnownFields(content, 'spec.content', ['envelope', 'hash', 'payloadHash']);
  const e = requireObject(content.envelope, 'spec.content.envelope');
  onlyKnownFields(e, 'spec.content.envelope', ['payloadType', 'payload', 'signatures']);
  const payloadType = requireString(e.payloadType, 'spec.content.envelope.payloadType');
  if (payloadType === '') throw invalidInput('spec.content.envelope.payloadType: missing payloadType content');
  const payloadText = decodeStdBase64(e.payload, 'spec.content.envelope.payload').toString('latin1');
  if (payloadText === '') throw invalidInput('spec.content.envelope.payload: missing envelope content');
  const signatures = readSignatures(e.signatures);
  const hash = readDigest(content.hash, 'spec.content.hash');
  if (content.payloadHash !== undefined && content.payloadHash !== null)
    readDigest(content.payloadHash, 'spec.content.payloadHash');

  const env: DsseEnvelope = {
    payloadType,
    payload: payloadText,
    signatures: signatures.map((x) => ({ keyid: x.keyid, sig: x.sig.toString('latin1') })),
  };
  const path = 'spec.content.envelope';
  verifyEnvelope(
    env,
    signatures.map((x) => x.key),
    path,
    false,
  );
  // Rekor hashes the payload decoded with standard base64 only, whatever DSSE's decoder accepted.
  const payload = decodeStdBase64(payloadText, `${path}.payload (inner base64)`);
  const payloadHash = sha256Hex(payload);

  const body = canonicalBody(INTOTO.kind, INTOTO.apiVersion, {
    content: {
      envelope: {
        payloadType,
        signatures: signatures.map((x) => ({
          ...(x.keyid !== '' ? { keyid: x.keyid } : {}),
          publicKey: x.publicKey.toString('base64'),
          sig: x.sig.toString('base64'),
        })),
      },
      hash,
      payloadHash: { algorithm: 'sha256', value: payloadHash },
    },
  });
  const keys = signatures.flatMap((x) => verifierKeys(x.key));
  keys.push(`sha256:${payloadHash}`);
  if (payloadType === IN_TOTO_PAYLOAD_TYPE) keys.push(...inTotoIndexKeys(payload));
  const entry: AdmittedEntry = { ...INTOTO, body, indexKeys: indexKeySet(keys) };
  // Rekor's size check is on base64.DecodedLen of the payload string: (len / 4) * 3.
  if (Math.floor(payloadText.length / 4) * 3 <= options.maxAttestationBytes) {
    entry.attestation = { mediaType: payloadType, data: payload };
  }
  return entry;
}

function readSignatures(v: unknown): IntotoSignature[] {
  const list = requireArray(v, 'spec.content.envelope.signatures', MAX_SIGNATURES);
  if (list.length === 0) throw invalidInput('spec.content.envelope.signatures: missing signatures content');
  return list.map((item, i) => {
    const path = `spec.content.envelope.signatures[${i}]`;
    if (!isObject(item)) throw invalidInput(`${path}: must be an object`);
    onlyKnownFields(item, path, ['keyid', 'sig', 'publicKey']);
    const keyid = optionalString(item.keyid, `${path}.keyid`, 1024) ?? '';
    const sig = decodeStdBase64(item.sig, `${path}.sig`);
    if (sig.length === 0) throw invalidInput(`${path}.sig: missing signature content`);
    const publicKey = decodeStdBase64(item.publicKey, `${path}.publicKey`);
    if (publicKey.length === 0) throw invalidInput(`${path}.publicKey: missing publicKey content`);
    return { keyid, sig, publicKey, key: parseX509PublicKey(publicKey, `${path}.publicKey`) };
  });
}

function readDigest(v: unknown, path: string): Json {
  const h = requireObject(v, path);
  onlyKnownFields(h, path, ['algorithm', 'value']);
  const algorithm = requireString(h.algorithm, `${path}.algorithm`, 16);
  if (algorithm !== 'sha256') throw invalidInput(`${path}.algorithm: must be sha256`);
  const value = requireString(h.value, `${path}.value`, 256);
  if (value.length !== 64 || !HEX.test(value)) throw invalidInput(`${path}.value: must be 64 hex digits`);
  // Lower case in the leaf, so a change of hex case cannot log the same envelope again (Rekor keeps it as sent).
  return { algorithm, value: value.toLowerCase() };
}
