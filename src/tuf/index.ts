/** A Sigstore-style TUF repository: keys, signed metadata (@tufjs/models), the published targets and their history. */
export { KeyStore, ROLES, rootPassword, tufKey, type RoleKey, type RoleName } from './keys.js';
export {
  DEFAULT_EXPIRY,
  TufRepository,
  type ExpiryPeriods,
  type RepositoryOptions,
  type TargetInput,
} from './repository.js';
export { endLog, mergeSigningConfig, mergeTrustedRoot } from './history.js';
export { SIGNING_CONFIG_TARGET, TRUSTED_ROOT_TARGET, sigstoreTargets } from './targets.js';
export { publishTrust, publishedTrust, type TrustMaterialSource } from './publisher.js';
export { createTufService, TUF_PATH, type TufService, type TufServiceOptions } from './service.js';
