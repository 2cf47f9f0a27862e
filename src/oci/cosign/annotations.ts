/** Layer annotation keys of cosign's legacy layouts (the signature key keeps the old project prefix). */
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
export const CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain';
export const BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
export const RFC3161_ANNOTATION = 'dev.sigstore.cosign/rfc3161timestamp';
export const PREDICATE_TYPE_ANNOTATION = 'predicateType';
/** On cosign v3's referrer manifests: the bundled statement's predicate type (signatures vs attestations). */
export const BUNDLE_PREDICATE_TYPE_ANNOTATION = 'dev.sigstore.bundle.predicateType';
/** The predicate type of cosign v3's image signatures (a DSSE statement in a bundle referrer). */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';

/** The Rekor "bundle" cosign stores in the bundle annotation (Go field names). */
export interface RekorBundleAnnotation {
  SignedEntryTimestamp: string;
  Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
}
