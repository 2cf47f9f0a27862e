export { CertificateAuthority, certPem, type IssuedCertificate, type SigningRequest } from './authority.js';
export { encodeSctList, addChainResponseJson, type CtLog, type Sct } from './certificate/sct-list.js';
export { CT_POISON_OID, CT_SCT_LIST_OID, LEAF_LIFETIME_MS, type San } from './certificate/leaf.js';
export type { SigstoreExtensions } from './certificate/extensions.js';
export { remoteCtLog } from './ct-client.js';
export {
  CA_FILES,
  ensureCa,
  generatedPassword,
  storedPassword,
  hasCa,
  initCa,
  loadCa,
  loadChainAndKey,
  type CaChain,
} from './keys/ca-store.js';
export {
  loadIdentityConfig,
  parseIdentityConfig,
  challengeClaimOf,
  ISSUER_TYPES,
  type IdentityConfig,
  type IssuerConfig,
  type IssuerType,
} from './oidc/config.js';
export { IssuerPool, MAX_TOKEN_BYTES } from './oidc/issuer-pool.js';

export { caServerServices, type CaServerOptions, type CaServerTrust } from './server.js';
export { defaultIdentityConfig } from './oidc/default-config.js';
export { createCaService, type CaService, type CaServiceOptions } from './service.js';
export {
  extension,
  keyIdentifier,
  organizationName,
  randomSerial,
  signCertificate,
  spkiOf,
  validity,
} from './certificate/sign.js';
