import { invalidInput } from '../../errors.js';
import { canonicalBody, indexKeySet, sha256Hex, type AdmittedEntry } from './admitted-entry.js';
import { IN_TOTO_PAYLOAD_TYPE, parseEnvelopeJson, verifyEnvelope } from './dsse-envelope.js';
import { inTotoIndexKeys } from './in-toto-keys.js';
import { decodeStdBase64, onlyKnownFields, requireArray, requireObject, requireString } from './spec-input.js';
import { parseX509PublicKey, x509Subjects, type X509PublicKey } from './x509-public-key.js';

/**
 * dsse 0.0.1 (`rekor:pkg/types/dsse/v0.0.1`): a DSSE envelope (as a JSON string) plus the x509 keys that verify
 * it. The envelope itself is never stored: the leaf keeps its hash, the payload hash, and each signature string
 * with its verifier, sorted by signature.
 */
export const DSSE = { kind: 'dsse', apiVersion: '0.0.1' } as const;
const MAX_VERIFIERS = 64;

export function admitDsse(spec: unknown): AdmittedEntry {
  const s = requireObject(spec, 'spec');
  for (const computed of ['envelopeHash', 'payloadHash', 'signatures']) {
    if (s[computed] !== undefined) {
      throw invalidInput(`spec.${computed}: computed by the log; propose only spec.proposedContent`);
    }
  }
  onlyKnownFields(s, 'spec', ['proposedContent']);
  const proposed = requireObject(s.proposedContent, 'spec.proposedContent');
  onlyKnownFields(proposed, 'spec.proposedContent', ['envelope', 'verifiers']);
  const envelopeText = requireString(proposed.envelope, 'spec.proposedContent.envelope');
  if (envelopeText === '') throw invalidInput('spec.proposedContent.envelope: missing proposed DSSE envelope');
  const verifiers = readVerifiers(proposed.verifiers);
  const env = parseEnvelopeJson(envelopeText, 'spec.proposedContent.envelope');
  const { payload, keyBySig } = verifyEnvelope(env, verifiers, 'spec.proposedContent.envelope', true);

  const sigs = [...keyBySig.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const payloadHash = sha256Hex(payload);
  const envelopeHash = sha256Hex(Buffer.from(envelopeText, 'utf8'));
  const body = canonicalBody(DSSE.kind, DSSE.apiVersion, {
    envelopeHash: { algorithm: 'sha256', value: envelopeHash },
    payloadHash: { algorithm: 'sha256', value: payloadHash },
    signatures: sigs.map((sig) => ({ signature: sig, verifier: keyBySig.get(sig)!.canonical.toString('base64') })),
  });
  const keys: string[] = [];
  for (const sig of sigs) keys.push(...verifierKeys(keyBySig.get(sig)!));
  keys.push(`sha256:${payloadHash}`, `sha256:${envelopeHash}`);
  if (env.payloadType === IN_TOTO_PAYLOAD_TYPE) keys.push(...inTotoIndexKeys(payload));
  return { ...DSSE, body, indexKeys: indexKeySet(keys) };
}

function readVerifiers(v: unknown): X509PublicKey[] {
  const list = requireArray(v, 'spec.proposedContent.verifiers', MAX_VERIFIERS);
  if (list.length === 0) throw invalidInput('spec.proposedContent.verifiers: missing proposed verifiers');
  return list.map((item, i) => {
    const path = `spec.proposedContent.verifiers[${i}]`;
    const pem = decodeStdBase64(item, path);
    if (pem.length === 0) throw invalidInput(`${path}: empty verifier`);
    return parseX509PublicKey(pem, path);
  });
}

/** intoto and dsse index a verifier's key hash with a `sha256:` prefix (unlike hashedrekord and rekord). */
export function verifierKeys(key: X509PublicKey): string[] {
  return [`sha256:${sha256Hex(key.canonical)}`, ...x509Subjects(key)];
}
