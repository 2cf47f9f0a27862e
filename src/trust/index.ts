export { embeddedTrustedRoot, PUBLIC_GOOD_TUF_URL } from './embedded.js';
export { refreshTrustedRoot, type TufRefreshOptions } from './tuf.js';
export {
  defaultCacheDir,
  loadTrustedRoot,
  readTrustedRoot,
  type LoadedTrustedRoot,
  type TrustedRootSource,
} from './load.js';
export { seedsPath } from './embedded.js';
export {
  configuredMirror,
  initializeInstance,
  resolveInstance,
  tufRootDir,
  type Instance,
  type InitializeOptions,
} from './instance.js';
export { applyCosignEnv, COSIGN_TRUST_ENV } from './cosign-env.js';
