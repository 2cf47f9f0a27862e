/** Container images: sign, attest, attach SBOMs and verify, in cosign's registry layouts. */
export { imageTargets, type ImageTarget } from './targets.js';
export { signImage, type SignImageOptions } from './sign.js';
export { attestImage, type AttestImageOptions } from './attest.js';
export { attachSbom, sbomTarget, sbomMediaType } from './sbom.js';
export { attachSignature, attachBundle, attachAttestation, type DetachedImageSignature } from './attach.js';
export {
  verifyImageSignatures,
  verifyImageAttestations,
  NoMatchingSignaturesError,
  type VerifiedItem,
  type VerifyImageOptions,
} from './verify.js';
export { COSIGN_SIGN_PREDICATE } from './predicates.js';
