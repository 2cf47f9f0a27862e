/**
 * Keys and signatures. Each format lives in its own file; add a line here for each public function a new file
 * offers (ssh, pgp, minisign, cosign keys), grouped by file.
 */

// keys.ts: public key parsing and policy
export {
  assertAcceptableKey,
  describeKey,
  keyDetails,
  messageHash,
  parsePublicKey,
  publicKeyDer,
  type Curve,
  type KeyType,
  type PublicKeyDetails,
} from './keys.js';

// digest-verify.ts: ECDSA / RSA verification over a pre-computed digest
export { digestVerifyBackend, verifyDigestSignature, type DigestHash } from './digest-verify.js';

// ec-point-key.ts: an EC key imported by the native addon from its point, for a key used once (a leaf's)
export { ecPointKey, type EcCurve, type EcPointKey } from './ec-point-key.js';

// trusted-key-verify.ts: node:crypto's verify, with fixed-base tables for a key that verifies many signatures
export { verifyByTrustedKey } from './trusted-key-verify.js';

// ed25519ph.ts: Ed25519ph (RFC 8032 prehash) signing and verifying, over data or a SHA-512 digest
export { ed25519RawKey, signEd25519ph, verifyEd25519ph, verifyEd25519phDigest } from './ed25519ph.js';

// minisign.ts
export * from './minisign.js';

// pgp.ts
export * from './pgp.js';

// ssh-key.ts, ssh-sig.ts
export * from './ssh-key.js';
export * from './ssh-sig.js';

// cosign-key.ts, cosign-key-file.ts: cosign's encrypted private keys, key import and loading
export {
  decryptCosignKey,
  encryptCosignKey,
  isCosignEncryptedKey,
  COSIGN_KEY_LABEL,
  DEFAULT_SCRYPT_N,
  SIGSTORE_KEY_LABEL,
  type EncryptKeyOptions,
} from './cosign-key.js';
export {
  checkGoodKey,
  importPrivateKey,
  loadPrivateKey,
  publicKeyPem,
  type PasswordSource,
} from './cosign-key-file.js';
