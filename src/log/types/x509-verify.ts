import { verify, type KeyObject } from 'node:crypto';

/**
 * Verifies a signature over a whole message the way sigstore's `signature.LoadVerifier(key, crypto.SHA256)` does,
 * which is what Rekor uses for rekord x509 signatures and for DSSE envelopes: ECDSA (any curve, ASN.1 DER
 * signature) and RSA PKCS#1 v1.5 hash with SHA-256; Ed25519 is pure Ed25519 over the message.
 */
export function verifyX509Message(key: KeyObject, message: Buffer, signature: Buffer): boolean {
  try {
    if (key.asymmetricKeyType === 'ed25519') return verify(null, message, key, signature);
    if (key.asymmetricKeyType === 'ec' || key.asymmetricKeyType === 'rsa') {
      return verify('sha256', message, { key, dsaEncoding: 'der' }, signature);
    }
    return false;
  } catch {
    return false; // malformed signature encodings are simply signatures that do not verify
  }
}
