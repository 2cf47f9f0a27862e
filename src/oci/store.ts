import type { Descriptor, FetchedManifest } from './registry/client.js';

/**
 * What the cosign layout code (sign, verify, copy, tree, clean) needs of a place that holds manifests and blobs:
 * a registry (RegistryClient), or an OCI image layout on disk (LayoutStore, for `save`, `load` and
 * `verify --local-image`). `repo` names a repository of a registry; a layout holds one image and ignores it.
 */
export interface ManifestStore {
  /** host[:port] of a registry, or `oci-layout:<dir>`; blobs are mounted between repositories of the same one. */
  readonly registry: string;
  /** A manifest by tag or digest; not-found when there is none. */
  getManifest(repo: string, reference: string): Promise<FetchedManifest>;
  /** The manifest's descriptor, or undefined when there is no such tag or digest. */
  headManifest(repo: string, reference: string): Promise<Descriptor | undefined>;
  /** Stores a manifest under a tag or its digest; returns its descriptor. */
  putManifest(repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<Descriptor>;
  deleteManifest(repo: string, digest: string): Promise<void>;
  getBlob(repo: string, digest: string): Promise<Buffer>;
  hasBlob(repo: string, digest: string): Promise<boolean>;
  /** Stores a blob unless it is there; `mountFrom` is a repository of the same store that has it. */
  pushBlob(repo: string, data: Buffer, mediaType: string, mountFrom?: string): Promise<Descriptor>;
  listTags(repo: string): Promise<string[]>;
  /** The OCI 1.1 referrers of a manifest (manifests whose `subject` names it). */
  referrers(repo: string, digest: string): Promise<Descriptor[]>;
}
