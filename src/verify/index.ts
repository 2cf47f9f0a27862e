export { verifyBundle, type VerificationResult, type VerifyOptions } from './verifier.js';
export { trustMaterial, type TrustMaterial, type Authority } from './trust-material.js';
export { parseCertificate, type Certificate } from './certificate.js';
export { signerIdentity, goRegexp, type IdentityPolicy, type Matcher, type SignerIdentity } from './identity.js';
export type { Artifact, InTotoStatement } from './signature.js';
export { verifyRfc3161Timestamp } from './timestamp.js';
export { verifyEmbeddedScts, embeddedScts, tbsWithoutSctList } from './sct.js';
export {
  verifyTransparencyLogEntry,
  tlogAuthoritiesFromTrustedRoot,
  tlogAuthority,
  verifyTreeConsistency,
  verifyCheckpoint,
  type TlogAuthority,
  type TreeHead,
  type TlogVerification,
  type TlogVerifyOptions,
} from './tlog.js';
export { predicateTypeFor, PREDICATE_TYPES } from './predicate-types.js';
