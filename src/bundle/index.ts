export * from './types.js';
export { preAuthEncoding } from './dsse.js';
export { bundleVersion, parseBundle, parseBundleJson, serializeBundle, type BundleVersion } from './parse.js';
export { parseSigningConfig, parseTrustedRoot, TRUSTED_ROOT_MEDIA_TYPES } from './trusted-root.js';
export { isLegacyCosignBundle, legacyToBundle, parseLegacyCosignBundle, type LegacyCosignBundle } from './legacy.js';
