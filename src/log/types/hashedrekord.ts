import type { KeyObject } from 'node:crypto';
import { verifyDigestSignature } from '../../crypto/index.js';
import { invalidInput } from '../../errors.js';
import { indexKeySet, sha256Hex, type AdmittedEntry } from './admitted-entry.js';
import { verifyEd25519phDigest } from '../../crypto/index.js';
import { HEX, decodeStdBase64, onlyKnownFields, requireObject, requireString, type Json } from './spec-input.js';
import { parseX509PublicKey, verifyX509Chain, x509Subjects, type X509PublicKey } from './x509-public-key.js';

/**
 * hashedrekord 0.0.1 (`rekor:pkg/types/hashedrekord/v0.0.1`): a signature over an artifact digest, made with an
 * x509 key or certificate. Only the digest travels, so admission costs one key parse and one digest verify.
 */
export const HASHEDREKORD = { kind: 'hashedrekord', apiVersion: '0.0.1' } as const;

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';
const DIGEST_HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha384: 96, sha512: 128 };

interface HashedRekordInput {
  signature: Buffer;
  publicKey: Buffer;
  algorithm: DigestAlgorithm;
  value: string;
}

export function admitHashedRekord(spec: unknown): AdmittedEntry {
  const input = readSpec(spec);
  const key = parseX509PublicKey(input.publicKey, 'spec.signature.publicKey.content');
  assertAllowedAlgorithm(key.key, input.algorithm);
  verifyX509Chain(key, 'spec.signature.publicKey.content');
  const digest = Buffer.from(input.value, 'hex');
  if (!verifyHashedSignature(key.key, input.algorithm, digest, input.signature)) {
    throw invalidInput('verifying signature: the signature does not verify over spec.data.hash with the given key');
  }
  const derived = keyFacts(key);
  const body = hashedRekordBody(input.algorithm, input.value, input.signature.toString('base64'), derived.content);
  const indexKeys = indexKeySet([derived.sha256, ...derived.subjects, `${input.algorithm}:${input.value}`]);
  return { ...HASHEDREKORD, body, indexKeys };
}

/**
 * `canonicalBody('hashedrekord', '0.0.1', spec)` written directly, one per upload: the keys are in RFC 8785 order
 * and every value is a digest name, lower-case hex or standard base64, which JSON carries unescaped.
 */
export function hashedRekordBody(algorithm: DigestAlgorithm, value: string, signature: string, publicKey: string) {
  return Buffer.from(
    `{"apiVersion":"${HASHEDREKORD.apiVersion}","kind":"${HASHEDREKORD.kind}","spec":{"data":{"hash":{"algorithm":` +
      `"${algorithm}","value":"${value}"}},"signature":{"content":"${signature}","publicKey":{"content":"${publicKey}"}}}}`,
    'latin1',
  );
}

/** What each entry by a key repeats: its base64 content, its SHA-256 index key and subjects (keys are cached). */
const facts = new WeakMap<X509PublicKey, { content: string; sha256: string; subjects: string[] }>();

function keyFacts(key: X509PublicKey) {
  let f = facts.get(key);
  if (!f) {
    f = { content: key.canonical.toString('base64'), sha256: sha256Hex(key.canonical), subjects: x509Subjects(key) };
    facts.set(key, f);
  }
  return f;
}

function readSpec(spec: unknown): HashedRekordInput {
  const s = requireObject(spec, 'spec');
  onlyKnownFields(s, 'spec', ['signature', 'data']);
  const sig = requireObject(s.signature, 'spec.signature');
  onlyKnownFields(sig, 'spec.signature', ['content', 'publicKey'], { url: 'fetching by URL is not supported' });
  const pk = requireObject(sig.publicKey, 'spec.signature.publicKey');
  onlyKnownFields(pk, 'spec.signature.publicKey', ['content'], { url: 'fetching by URL is not supported' });
  const data = requireObject(s.data, 'spec.data');
  onlyKnownFields(data, 'spec.data', ['hash'], { content: 'hashedrekord takes only the digest; use rekord' });
  const hash = requireObject(data.hash, 'spec.data.hash');
  onlyKnownFields(hash, 'spec.data.hash', ['algorithm', 'value']);
  const signature = decodeStdBase64(sig.content, 'spec.signature.content');
  if (signature.length === 0) throw invalidInput('spec.signature.content: missing signature content');
  const publicKey = decodeStdBase64(pk.content, 'spec.signature.publicKey.content');
  if (publicKey.length === 0) throw invalidInput('spec.signature.publicKey.content: missing publicKey content');
  return { signature, publicKey, ...readHash(hash) };
}

function readHash(hash: Json): { algorithm: DigestAlgorithm; value: string } {
  const algorithm = requireString(hash.algorithm, 'spec.data.hash.algorithm', 16);
  if (!(algorithm in DIGEST_HEX_LENGTH)) {
    throw invalidInput('spec.data.hash.algorithm: must be one of sha256, sha384, sha512');
  }
  const alg = algorithm as DigestAlgorithm;
  const value = requireString(hash.value, 'spec.data.hash.value', 256);
  if (value.length !== DIGEST_HEX_LENGTH[alg] || !HEX.test(value)) {
    throw invalidInput(`spec.data.hash.value: must be ${DIGEST_HEX_LENGTH[alg]} hex digits for ${alg}`);
  }
  // Lower case in the leaf: the same signature over the same digest is one entry whatever the hex case sent
  // (Rekor keeps the case as sent, so it logs `AB..` and `ab..` twice; docs/wire-compat.md).
  return { algorithm: alg, value: value.toLowerCase() };
}

/**
 * Rekor's default `--client-signing-algorithms` (sigstore's algorithm registry): RSA PKCS#1 v1.5 2048/3072/4096
 * with SHA-256, ECDSA P-256/SHA-256, P-384/SHA-384, P-521/SHA-512, and Ed25519 as Ed25519ph, i.e. SHA-512.
 */
function assertAllowedAlgorithm(key: KeyObject, alg: DigestAlgorithm): void {
  const type = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};
  let allowed = false;
  let what: string = type ?? 'unknown';
  if (type === 'rsa') {
    const bits = Math.ceil((details.modulusLength ?? 0) / 8) * 8; // Go compares Size()*8, whole bytes
    what = `rsa ${bits}`;
    allowed = alg === 'sha256' && [2048, 3072, 4096].includes(bits);
  } else if (type === 'ec') {
    what = `ecdsa ${details.namedCurve}`;
    const want = { prime256v1: 'sha256', secp384r1: 'sha384', secp521r1: 'sha512' }[details.namedCurve ?? ''];
    allowed = want === alg;
  } else if (type === 'ed25519') {
    allowed = alg === 'sha512';
  }
  if (!allowed) throw invalidInput(`entry algorithms are not allowed: ${what} public key with ${alg}`);
}

function verifyHashedSignature(key: KeyObject, alg: DigestAlgorithm, digest: Buffer, signature: Buffer): boolean {
  if (key.asymmetricKeyType === 'ed25519') return verifyEd25519phDigest(key, digest, signature);
  try {
    return verifyDigestSignature(key, alg, digest, signature);
  } catch {
    return false;
  }
}
