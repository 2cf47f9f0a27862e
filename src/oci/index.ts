export * from './reference.js';
export * from './media-types.js';
export { RegistryClient, sha256Digest, referrersTag } from './registry/client.js';
export type { Descriptor, FetchedManifest, RegistryClientOptions } from './registry/client.js';
export { lookupCredentials, storeCredentials, dockerConfigPath } from './registry/credentials.js';
export type { Credentials } from './registry/credentials.js';
export * from './cosign/index.js';
export { openImage, connect, resolveImage, type RegistryOptions, type ImageSession } from './session.js';
export { uploadBlobImage } from './upload.js';
