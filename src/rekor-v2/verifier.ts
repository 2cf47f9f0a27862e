import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { verifyDigestSignature } from '../crypto/index.js';
import { invalidInput, SignetError } from '../errors.js';
import { verifyEd25519phDigest } from '../crypto/index.js';
import { readBytes, readEnum, readMessage, oneOf, type Json } from './proto-json.js';

/** protobuf-specs `PublicKeyDetails` values Rekor v2 knows (rekor-tiles `internal/algorithmregistry`). */
const KEY_DETAILS: Record<string, number> = {
  PUBLIC_KEY_DETAILS_UNSPECIFIED: 0,
  PKIX_ECDSA_P256_SHA_256: 5,
  PKIX_ED25519: 7,
  PKIX_ED25519_PH: 8,
  PKIX_RSA_PKCS1V15_2048_SHA256: 9,
  PKIX_RSA_PKCS1V15_3072_SHA256: 10,
  PKIX_RSA_PKCS1V15_4096_SHA256: 11,
  PKIX_ECDSA_P384_SHA_384: 12,
  PKIX_ECDSA_P521_SHA_512: 13,
};

type Hash = 'sha256' | 'sha384' | 'sha512';

/** The algorithms an entry may use: key type and size, and the digest the signature covers. */
const ALLOWED: Record<string, { type: string; curve?: string; bits?: number; hash: Hash }> = {
  PKIX_ECDSA_P256_SHA_256: { type: 'ec', curve: 'prime256v1', hash: 'sha256' },
  PKIX_ECDSA_P384_SHA_384: { type: 'ec', curve: 'secp384r1', hash: 'sha384' },
  PKIX_ECDSA_P521_SHA_512: { type: 'ec', curve: 'secp521r1', hash: 'sha512' },
  PKIX_RSA_PKCS1V15_2048_SHA256: { type: 'rsa', bits: 2048, hash: 'sha256' },
  PKIX_RSA_PKCS1V15_3072_SHA256: { type: 'rsa', bits: 3072, hash: 'sha256' },
  PKIX_RSA_PKCS1V15_4096_SHA256: { type: 'rsa', bits: 4096, hash: 'sha256' },
  PKIX_ED25519_PH: { type: 'ed25519', hash: 'sha512' },
};

export const HASH_NAMES: Record<Hash, string> = { sha256: 'SHA2_256', sha384: 'SHA2_384', sha512: 'SHA2_512' };

/** A parsed `Verifier`: the key that checks signatures, its digest, and the message as the log stores it. */
export interface EntryVerifier {
  key: KeyObject;
  hash: Hash;
  keyDetails: string;
  /** Identity of the key material (raw DER) to spot duplicate verifiers. */
  raw: Buffer;
  /** The `Verifier` in protojson form (JSON names, base64 bytes), ready for the canonical body. */
  json: Json;
}

const VERIFIER_FIELDS = { publicKey: 'public_key', x509Certificate: 'x509_certificate', keyDetails: 'key_details' };

/**
 * Reads a `Verifier` (a DER public key or certificate plus its `keyDetails`) and checks that the key is one of the
 * allowed algorithms and matches `keyDetails` (rekor-tiles refuses a P-256 key declared as P-384, and pure
 * Ed25519, which cannot sign a bare digest).
 */
export function readVerifier(v: unknown, path: string): EntryVerifier {
  const msg = readMessage(v, path, VERIFIER_FIELDS);
  const which = oneOf(msg, path, ['publicKey', 'x509Certificate']);
  const inner = readMessage(msg[which], `${path}.${which}`, { rawBytes: 'raw_bytes' });
  const raw = readBytes(inner.rawBytes, `${path}.${which}.rawBytes`);
  if (raw.length === 0) throw invalidInput(`${path}.${which}.rawBytes: missing`);
  const keyDetails = readEnum(msg.keyDetails, `${path}.keyDetails`, KEY_DETAILS);
  if (keyDetails === undefined || keyDetails === 'PUBLIC_KEY_DETAILS_UNSPECIFIED') {
    throw invalidInput(`${path}.keyDetails: missing`);
  }
  const key = cachedKey(which, raw, () => (which === 'publicKey' ? parseSpki(raw, path) : parseCertificate(raw, path)));
  const allowed = ALLOWED[keyDetails];
  if (!allowed) throw new SignetError('unsupported', `${path}.keyDetails: ${keyDetails} is not accepted by this log`);
  const d = key.asymmetricKeyDetails;
  const matches =
    key.asymmetricKeyType === allowed.type &&
    (allowed.curve === undefined || d?.namedCurve === allowed.curve) &&
    (allowed.bits === undefined || d?.modulusLength === allowed.bits);
  if (!matches) throw invalidInput(`${path}: the ${describe(key)} key does not match keyDetails ${keyDetails}`);
  const json: Json = { [which]: { rawBytes: raw.toString('base64') }, keyDetails };
  return { key, hash: allowed.hash, keyDetails, raw, json };
}

/** Verifies a signature over a digest the client computed: ECDSA/RSA with OpenSSL, Ed25519ph with noble. */
export function verifyOverDigest(v: EntryVerifier, digest: Buffer, signature: Buffer): boolean {
  if (v.key.asymmetricKeyType === 'ed25519') return verifyEd25519phDigest(v.key, digest, signature);
  return verifyDigestSignature(v.key, v.hash, digest, signature);
}

export const DIGEST_LENGTH: Record<Hash, number> = { sha256: 32, sha384: 48, sha512: 64 };

/**
 * Keys by their DER, oldest evicted first, as the v1 log caches them: importing a key or certificate costs several
 * times the digest verify, and the digest verifier keeps its OpenSSL handle per KeyObject, so a fresh KeyObject
 * per entry would also re-export and re-load the key. Signers reuse keys (a keyless certificate for ten minutes);
 * KeyObjects are immutable, so sharing them is safe.
 */
const keyCache = new Map<string, KeyObject>();
const KEY_CACHE_SIZE = 4096;

function cachedKey(which: string, raw: Buffer, parse: () => KeyObject): KeyObject {
  const cacheKey = which + ':' + raw.toString('latin1');
  const hit = keyCache.get(cacheKey);
  if (hit) return hit;
  const key = parse();
  if (keyCache.size >= KEY_CACHE_SIZE) keyCache.delete(keyCache.keys().next().value!);
  keyCache.set(cacheKey, key);
  return key;
}

function parseSpki(der: Buffer, path: string): KeyObject {
  try {
    return createPublicKey({ key: der, format: 'der', type: 'spki' });
  } catch {
    throw invalidInput(`${path}.publicKey.rawBytes: not a DER public key (SubjectPublicKeyInfo)`);
  }
}

function parseCertificate(der: Buffer, path: string): KeyObject {
  try {
    return new X509Certificate(der).publicKey;
  } catch {
    throw invalidInput(`${path}.x509Certificate.rawBytes: not a DER X.509 certificate`);
  }
}

function describe(key: KeyObject): string {
  const d = key.asymmetricKeyDetails;
  return [key.asymmetricKeyType, d?.namedCurve, d?.modulusLength].filter(Boolean).join(' ');
}
