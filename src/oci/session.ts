import { lookupCredentials, type Credentials } from './registry/credentials.js';
import { RegistryClient, type Descriptor } from './registry/client.js';
import type { ManifestStore } from './store.js';
import { parseReference, withDigest, type ImageReference } from './reference.js';

/** How the CLI reaches registries (cosign's registry flags). */
export interface RegistryOptions {
  allowInsecureRegistry?: boolean;
  registryUsername?: string;
  registryPassword?: string;
  registryToken?: string;
  onProgress?: (done: number, total: number) => void;
}

/** An image reference with a client for its registry. */
export interface ImageSession {
  ref: ImageReference;
  client: ManifestStore;
}

/** Parses a reference and connects to its registry with credentials from the flags, else the docker config. */
export function openImage(reference: string, options: RegistryOptions = {}): ImageSession {
  const ref = parseReference(reference);
  return { ref, client: connect(ref.registry, options) };
}

export function connect(registry: string, options: RegistryOptions = {}): RegistryClient {
  let credentials: Credentials | undefined;
  if (options.registryToken) credentials = { registryToken: options.registryToken };
  else if (options.registryUsername !== undefined) {
    credentials = { username: options.registryUsername, password: options.registryPassword ?? '' };
  } else credentials = lookupCredentials(registry);
  return new RegistryClient(registry, {
    credentials,
    allowInsecure: options.allowInsecureRegistry,
    onProgress: options.onProgress,
  });
}

/** The image's manifest descriptor; a tag is resolved to its digest. */
export async function resolveImage(session: ImageSession): Promise<{ ref: ImageReference; descriptor: Descriptor }> {
  const { ref, client } = session;
  const fetched = await client.getManifest(ref.repository, ref.digest ?? ref.tag!);
  const descriptor = { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.bytes.length };
  return { ref: withDigest(ref, fetched.digest), descriptor };
}
