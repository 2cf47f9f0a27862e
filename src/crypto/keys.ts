import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { SignetError, invalidInput } from '../errors.js';
import { pemBlocks } from '../encoding/index.js';

export type KeyType = 'ecdsa' | 'ed25519' | 'rsa';

/** A key's algorithm as protobuf-specs names it (`PublicKeyDetails`), in trusted roots and bundles. */
export type PublicKeyDetails =
  | 'PKIX_ECDSA_P256_SHA_256'
  | 'PKIX_ECDSA_P384_SHA_384'
  | 'PKIX_ECDSA_P521_SHA_512'
  | 'PKIX_ED25519'
  | 'PKIX_ED25519_PH'
  | 'PKIX_RSA_PKCS1V15_2048_SHA256'
  | 'PKIX_RSA_PKCS1V15_3072_SHA256'
  | 'PKIX_RSA_PKCS1V15_4096_SHA256'
  | 'PKIX_RSA_PSS_2048_SHA256'
  | 'PKIX_RSA_PSS_3072_SHA256'
  | 'PKIX_RSA_PSS_4096_SHA256';
export type Curve = 'P-256' | 'P-384' | 'P-521';

/** OpenSSL curve names (what KeyObject reports) to NIST names. */
const CURVES: Record<string, Curve> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

/**
 * A public key from PEM (SPKI `PUBLIC KEY`, PKCS#1 `RSA PUBLIC KEY`, or a `CERTIFICATE`'s key) or DER (SPKI or an
 * X.509 certificate). Throws invalid-input naming what the input looked like.
 * @example parsePublicKey(readFileSync('cosign.pub'))
 */
export function parsePublicKey(input: string | Uint8Array): KeyObject {
  if (typeof input !== 'string' && !(input instanceof Uint8Array))
    throw invalidInput('a public key must be text or bytes');
  const bytes = Buffer.from(input as Uint8Array);
  const text = typeof input === 'string' ? input : bytes.toString('latin1');
  if (text.includes('-----BEGIN ')) return fromPem(text);
  if (typeof input === 'string') throw invalidInput('public key text is not PEM (no -----BEGIN line)');
  return fromDer(bytes);
}

function fromPem(text: string): KeyObject {
  const block = pemBlocks(text)[0];
  if (!block) throw invalidInput('public key PEM has no matching -----END line');
  const { label, der } = block;
  switch (label) {
    case 'PUBLIC KEY':
      return attempt(
        () => createPublicKey({ key: der, format: 'der', type: 'spki' }),
        'PEM PUBLIC KEY is not a valid SPKI',
      );
    case 'RSA PUBLIC KEY':
      return attempt(
        () => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }),
        'PEM RSA PUBLIC KEY is not valid PKCS#1',
      );
    case 'CERTIFICATE':
      return attempt(() => new X509Certificate(der).publicKey, 'PEM CERTIFICATE is not a valid X.509 certificate');
    default:
      if (label.includes('PRIVATE')) throw invalidInput(`expected a public key but found a PEM ${label}`);
      throw invalidInput(`PEM block "${label}" is not a public key or certificate`);
  }
}

function fromDer(der: Buffer): KeyObject {
  if (der.length === 0 || der[0] !== 0x30) throw invalidInput('public key is neither PEM nor DER');
  for (const parse of [
    () => createPublicKey({ key: der, format: 'der', type: 'spki' }),
    () => new X509Certificate(der).publicKey,
    () => createPublicKey({ key: der, format: 'der', type: 'pkcs1' }),
  ]) {
    try {
      return parse();
    } catch {
      // try the next DER shape
    }
  }
  throw invalidInput('DER is not a SubjectPublicKeyInfo, an X.509 certificate or a PKCS#1 RSA public key');
}

function attempt(f: () => KeyObject, message: string): KeyObject {
  try {
    return f();
  } catch (e) {
    throw invalidInput(message, e);
  }
}

/** DER SubjectPublicKeyInfo of a public key (or of a private key's public half). */
export function publicKeyDer(key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.type !== 'public') throw invalidInput('a secret key has no public key');
  return pub.export({ type: 'spki', format: 'der' });
}

/** What a key is, in the terms Sigstore uses; throws unsupported for other types and curves. */
export function describeKey(key: KeyObject): { type: KeyType; curve?: Curve; bits?: number } {
  const d = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const curve = CURVES[d.namedCurve ?? ''];
      if (!curve) throw unsupported(`ECDSA keys on curve ${d.namedCurve ?? 'unknown'} are not supported`);
      return { type: 'ecdsa', curve };
    }
    case 'ed25519':
      return { type: 'ed25519' };
    case 'rsa':
      return { type: 'rsa', bits: d.modulusLength ?? 0 };
    default:
      throw unsupported(`${key.asymmetricKeyType ?? 'secret'} keys are not supported (use ECDSA, Ed25519 or RSA)`);
  }
}

/** ECDSA P-256/384/521, Ed25519, or RSA of 2048 to 4096 bits; anything else is unsupported. */
export function assertAcceptableKey(key: KeyObject): void {
  const k = describeKey(key);
  if (k.type === 'rsa' && (k.bits! < 2048 || k.bits! > 4096)) {
    throw unsupported(`RSA keys of ${k.bits} bits are not supported (use 2048 to 4096 bits)`);
  }
}

/** The protobuf-specs PublicKeyDetails name for a key (as trusted roots and bundles carry it). */
export function keyDetails(key: KeyObject): PublicKeyDetails {
  const k = describeKey(key);
  if (k.type === 'ed25519') return 'PKIX_ED25519';
  if (k.type === 'ecdsa') {
    return (
      {
        'P-256': 'PKIX_ECDSA_P256_SHA_256',
        'P-384': 'PKIX_ECDSA_P384_SHA_384',
        'P-521': 'PKIX_ECDSA_P521_SHA_512',
      } as const
    )[k.curve!];
  }
  if (k.bits === 2048 || k.bits === 3072 || k.bits === 4096) return `PKIX_RSA_PKCS1V15_${k.bits}_SHA256`;
  throw unsupported(`RSA keys of ${k.bits} bits have no PublicKeyDetails name (2048, 3072 or 4096 only)`);
}

function unsupported(message: string): SignetError {
  return new SignetError('unsupported', message);
}

/**
 * The hash node:crypto's sign and verify are given for `key` in a protocol that fixes one (`hash`): ECDSA and RSA
 * sign that digest of the message, Ed25519 signs the message itself (null).
 */
export function messageHash<H extends string>(key: KeyObject, hash: H): H | null {
  return key.asymmetricKeyType === 'ed25519' ? null : hash;
}
