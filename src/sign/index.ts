/** The signing client (cosign sign-blob / attest-blob): key-based and keyless signatures, tlog upload, bundles. */
export {
  signBlob,
  attestStatement,
  keylessSigner,
  type SignedBlob,
  type SignedAttestation,
  type TlogOptions,
} from './sign-blob.js';
export {
  signerFromPrivateKey,
  ephemeralKeyPair,
  publicKeyHint,
  signBytes,
  signingHash,
  verifierPem,
  type Signer,
} from './signer.js';
export {
  requestSigningCertificate,
  proofOfPossessionChallenge,
  parseSigningCertResponse,
  type IssuedCertificate,
} from './fulcio-client.js';
export { requireEmbeddedSct } from './sct.js';
export {
  blobStatement,
  predicateFrom,
  signEnvelope,
  IN_TOTO_STATEMENT_V1,
  COSIGN_CUSTOM_PREDICATE,
  type InTotoStatement,
} from './statement.js';
export { legacyBlobBundle, type LegacyBlobBundle } from './legacy-bundle.js';
export { hashedRekordV2Request, dsseV2Request, uploadV2Entry, v2Verifier } from './rekor-v2.js';
export {
  servicesFromSigningConfig,
  loadSigningConfig,
  PUBLIC_GOOD_SERVICES,
  type SigningServices,
} from './services.js';
export { httpError, postJson, type FetchLike } from './http-json.js';
