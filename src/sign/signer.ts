import { createHash, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { invalidInput } from '../errors.js';

/** Something that signs: a long-lived key (--key) or an ephemeral key with a CA certificate (keyless). */
export interface Signer {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PEM certificate chain, leaf first (keyless); absent for key-based signing. */
  certificateChainPem?: string[];
}

/** The hash a key signs with: curve-matched for ECDSA (as cosign's SupportedKeyDetails), SHA-256 for RSA. */
export function signingHash(key: KeyObject): 'sha256' | 'sha384' | 'sha512' | null {
  if (key.asymmetricKeyType === 'ed25519') return null;
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'secp384r1') return 'sha384';
    if (curve === 'secp521r1') return 'sha512';
    if (curve !== 'prime256v1')
      throw invalidInput(`unsupported curve ${curve ?? 'unknown'}: use P-256, P-384 or P-521`);
  } else if (key.asymmetricKeyType !== 'rsa') {
    throw invalidInput(`unsupported key type ${key.asymmetricKeyType ?? 'unknown'}`);
  }
  return 'sha256';
}

/** Signs `data` (ECDSA: ASN.1 DER; RSA: PKCS#1 v1.5; Ed25519: pure). */
export function signBytes(signer: Signer, data: Buffer): Buffer {
  return sign(signingHash(signer.privateKey), data, signer.privateKey);
}

export function signerFromPrivateKey(privateKey: KeyObject): Signer {
  signingHash(privateKey);
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** A fresh ECDSA P-256 key pair held only in memory, as cosign makes for keyless signing. */
export function ephemeralKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** The bundle's publicKey hint: base64 SHA-256 of the SPKI DER, what sigstore-go writes. */
export function publicKeyHint(key: KeyObject): string {
  return createHash('sha256')
    .update(key.export({ type: 'spki', format: 'der' }))
    .digest('base64');
}

/** The PEM Rekor records for the signer: the leaf certificate when there is one, else the SPKI public key. */
export function verifierPem(signer: Signer): string {
  if (signer.certificateChainPem?.[0]) return normalizePem(signer.certificateChainPem[0]);
  return signer.publicKey.export({ type: 'spki', format: 'pem' }).toString();
}

function normalizePem(pem: string): string {
  const t = pem.replace(/\r\n/g, '\n').trim();
  return t + '\n';
}
