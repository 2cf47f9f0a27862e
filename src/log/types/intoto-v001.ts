import { invalidInput } from '../../errors.js';
import { canonicalBody, indexKeySet, sha256Hex, type AdmittedEntry } from './admitted-entry.js';
import { verifierKeys } from './dsse.js';
import { preAuthEncoding } from '../../bundle/index.js';
import { IN_TOTO_PAYLOAD_TYPE, parseEnvelopeJson } from './dsse-envelope.js';
import { inTotoIndexKeys } from './in-toto-keys.js';
import { decodeDsseBase64, decodeStdBase64, onlyKnownFields, requireObject, requireString } from './spec-input.js';
import { parseX509PublicKey } from './x509-public-key.js';
import { verifyX509Message } from './x509-verify.js';

/**
 * intoto 0.0.1 (`rekor:pkg/types/intoto/v0.0.1`): a DSSE envelope as a JSON string and one x509 key, at least one
 * of whose signatures it must verify. The leaf keeps the envelope and payload hashes and the canonical key; the
 * payload is kept as the entry's attestation.
 */
export const INTOTO_V001 = { kind: 'intoto', apiVersion: '0.0.1' } as const;

export function admitIntotoV001(spec: unknown, options: { maxAttestationBytes: number }): AdmittedEntry {
  const s = requireObject(spec, 'spec');
  onlyKnownFields(s, 'spec', ['content', 'publicKey']);
  const content = requireObject(s.content, 'spec.content');
  onlyKnownFields(content, 'spec.content', ['envelope', 'hash', 'payloadHash']);
  const envelopeText = requireString(content.envelope, 'spec.content.envelope');
  if (envelopeText === '') throw invalidInput('spec.content.envelope: missing envelope content');
  const pem = decodeStdBase64(s.publicKey, 'spec.publicKey');
  if (pem.length === 0) throw invalidInput('spec.publicKey: missing publicKey content');
  const key = parseX509PublicKey(pem, 'spec.publicKey');
  const env = parseEnvelopeJson(envelopeText, 'spec.content.envelope');
  if (env.payload === '' || env.payloadType === '' || env.signatures.length === 0) {
    throw invalidInput(
      'spec.content.envelope: invalid DSSE envelope (payload, payloadType and signatures are required)',
    );
  }
  const path = 'spec.content.envelope';
  const pae = preAuthEncoding(env.payloadType, decodeDsseBase64(env.payload, `${path}.payload`));
  const sigs = env.signatures.map((x, i) => decodeDsseBase64(x.sig, `${path}.signatures[${i}].sig`));
  if (!sigs.some((sig) => verifyX509Message(key.key, pae, sig))) {
    throw invalidInput('could not verify envelope: no signature verifies with spec.publicKey');
  }
  const payload = decodeStdBase64(env.payload, `${path}.payload`);
  const payloadHash = sha256Hex(payload);
  const envelopeHash = sha256Hex(Buffer.from(envelopeText, 'utf8'));
  const body = canonicalBody(INTOTO_V001.kind, INTOTO_V001.apiVersion, {
    content: {
      hash: { algorithm: 'sha256', value: envelopeHash },
      payloadHash: { algorithm: 'sha256', value: payloadHash },
    },
    publicKey: key.canonical.toString('base64'),
  });
  const keys = [`sha256:${envelopeHash}`, ...verifierKeys(key), `sha256:${payloadHash}`];
  if (env.payloadType === IN_TOTO_PAYLOAD_TYPE) keys.push(...inTotoIndexKeys(payload));
  const entry: AdmittedEntry = { ...INTOTO_V001, body, indexKeys: indexKeySet(keys) };
  if (Math.floor(env.payload.length / 4) * 3 <= options.maxAttestationBytes) {
    entry.attestation = { mediaType: env.payloadType, data: payload };
  }
  return entry;
}
