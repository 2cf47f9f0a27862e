/** in-toto statement types: cosign writes v0.1 for predicate files and v1 for `cosign sign`'s new bundles. */
export const IN_TOTO_V01 = 'https://in-toto.io/Statement/v0.1';
export const IN_TOTO_V1 = 'https://in-toto.io/Statement/v1';
export { COSIGN_SIGN_PREDICATE } from '../oci/index.js';
