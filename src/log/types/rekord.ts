import { invalidInput } from '../../errors.js';
import { canonicalBody, indexKeySet, sha256Hex, type AdmittedEntry } from './admitted-entry.js';
import { pkiFormat } from './pki-format.js';
import { HEX, decodeStdBase64, onlyKnownFields, optionalObject, requireObject, requireString } from './spec-input.js';

/**
 * rekord 0.0.1 (`rekor:pkg/types/rekord/v0.0.1`): a detached signature over an artifact sent inline, in one of
 * the pgp, minisign, x509 or ssh formats. The log hashes the content, checks it against `data.hash` when given,
 * verifies the signature over the full content and stores only the hash.
 */
export const REKORD = { kind: 'rekord', apiVersion: '0.0.1' } as const;

const URL_HINT = 'signet does not fetch artifacts, keys or signatures by URL; send them inline as base64 content';

export async function admitRekord(spec: unknown): Promise<AdmittedEntry> {
  const s = requireObject(spec, 'spec');
  onlyKnownFields(s, 'spec', ['signature', 'data']);
  const sig = requireObject(s.signature, 'spec.signature');
  onlyKnownFields(sig, 'spec.signature', ['format', 'content', 'publicKey'], { url: URL_HINT });
  const pk = requireObject(sig.publicKey, 'spec.signature.publicKey');
  onlyKnownFields(pk, 'spec.signature.publicKey', ['content'], { url: URL_HINT });
  const data = requireObject(s.data, 'spec.data');
  onlyKnownFields(data, 'spec.data', ['content', 'hash'], { url: URL_HINT });

  const formatName = requireString(sig.format, 'spec.signature.format', 16);
  const format = pkiFormat(formatName, 'spec.signature.format');
  const sigBytes = decodeStdBase64(sig.content, 'spec.signature.content');
  if (sigBytes.length === 0) throw invalidInput("spec.signature.content: 'content' must be specified for signature");
  const keyBytes = decodeStdBase64(pk.content, 'spec.signature.publicKey.content');
  if (keyBytes.length === 0) throw invalidInput("spec.signature.publicKey.content: 'content' must be specified");
  if (data.content === undefined || data.content === null) {
    throw invalidInput(`spec.data.content: missing; the artifact must be sent inline (${URL_HINT})`);
  }
  const content = decodeStdBase64(data.content, 'spec.data.content');
  const digest = sha256Hex(content);
  checkGivenHash(data.hash, digest);

  const signature = await format.parseSignature(sigBytes, 'spec.signature.content');
  const key = await format.parseKey(keyBytes, 'spec.signature.publicKey.content');
  await format.verify(signature, key, content);

  const body = canonicalBody(REKORD.kind, REKORD.apiVersion, {
    data: { hash: { algorithm: 'sha256', value: digest } },
    signature: {
      content: signature.canonical.toString('base64'),
      format: formatName,
      publicKey: { content: key.canonical.toString('base64') },
    },
  });
  const indexKeys = indexKeySet([sha256Hex(key.canonical), ...key.subjects, `sha256:${digest}`]);
  return { ...REKORD, body, indexKeys };
}

/** A supplied `data.hash` must be the SHA-256 of the content, in lower-case hex, exactly as Rekor compares it. */
function checkGivenHash(hash: unknown, digest: string): void {
  const h = optionalObject(hash, 'spec.data.hash');
  if (!h) return;
  onlyKnownFields(h, 'spec.data.hash', ['algorithm', 'value']);
  if (requireString(h.algorithm, 'spec.data.hash.algorithm', 16) !== 'sha256') {
    throw invalidInput('spec.data.hash.algorithm: must be sha256');
  }
  const value = requireString(h.value, 'spec.data.hash.value', 256);
  if (value.length !== 64 || !HEX.test(value)) throw invalidInput('spec.data.hash.value: must be 64 hex digits');
  if (value !== digest) throw invalidInput(`spec.data.hash.value: SHA mismatch: ${digest} != ${value}`);
}
