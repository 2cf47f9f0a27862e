/** in-toto statement types: cosign writes v0.1 for predicate files and v1 for `cosign sign`'s new bundles. */
export const IN_TOTO_V01 = 'https://in-toto.io/Statement/v0.1';
export const IN_TOTO_V1 = 'https://in-toto.io/Statement/v1';
/** The predicate type of cosign v3's image signatures (a DSSE statement in a bundle referrer). */
export const COSIGN_SIGN_PREDICATE = 'https://sigstore.dev/cosign/sign/v1';
