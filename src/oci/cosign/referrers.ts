import { createHash } from 'node:crypto';
import { isSignetError } from '../../errors.js';
import { OCI_EMPTY, OCI_INDEX, OCI_MANIFEST, SIGSTORE_BUNDLE_V03 } from '../media-types.js';
import { referrersTag, type Descriptor } from '../registry/client.js';
import type { ManifestStore } from '../store.js';

const EMPTY_CONFIG = Buffer.from('{}');

/** A Sigstore bundle found as an OCI 1.1 referrer of an image. */
export interface ReferrerBundle {
  manifest: Descriptor;
  bundle: Buffer;
}

/**
 * Pushes a Sigstore bundle as an OCI 1.1 referrer of `subject`, as cosign v3 does, and keeps the referrers tag
 * schema index (`sha256-<hex>`) up to date for registries without the referrers API.
 */
export async function pushBundleReferrer(
  client: ManifestStore,
  repo: string,
  subject: Descriptor,
  bundle: Buffer,
  annotations: Record<string, string>,
): Promise<Descriptor> {
  const config = await client.pushBlob(repo, EMPTY_CONFIG, OCI_EMPTY);
  const layer = await client.pushBlob(repo, bundle, SIGSTORE_BUNDLE_V03);
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: SIGSTORE_BUNDLE_V03,
    config: { ...config, artifactType: SIGSTORE_BUNDLE_V03 },
    layers: [layer],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: {
      'org.opencontainers.image.created': new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      ...annotations,
    },
  };
  const bytes = Buffer.from(JSON.stringify(manifest));
  const digest = 'sha256:' + createHash('sha256').update(bytes).digest('hex');
  const pushed = await client.putManifest(repo, digest, bytes, OCI_MANIFEST);
  const descriptor: Descriptor = { ...pushed, artifactType: SIGSTORE_BUNDLE_V03, annotations: manifest.annotations };
  await addReferrer(client, repo, subject.digest, descriptor);
  return descriptor;
}

/** Bundles attached to an image as referrers; non-bundle referrers are skipped. */
export async function readBundleReferrers(
  client: ManifestStore,
  repo: string,
  imageDigest: string,
): Promise<ReferrerBundle[]> {
  const found: ReferrerBundle[] = [];
  for (const ref of await client.referrers(repo, imageDigest)) {
    if (ref.mediaType !== OCI_MANIFEST) continue;
    const fetched = await client.getManifest(repo, ref.digest);
    const manifest = JSON.parse(fetched.bytes.toString('utf8')) as { layers?: Descriptor[] };
    const layers = manifest.layers ?? [];
    if (layers.length !== 1 || !layers[0]!.mediaType.startsWith('application/vnd.dev.sigstore.bundle')) continue;
    found.push({ manifest: ref, bundle: await client.getBlob(repo, layers[0]!.digest) });
  }
  return found;
}

/** Adds a referrer to the tag-schema index unless the registry already lists it through the referrers API. */
export async function addReferrer(client: ManifestStore, repo: string, subject: string, referrer: Descriptor) {
  const listed = await client.referrers(repo, subject);
  if (listed.some((d) => d.digest === referrer.digest)) return;
  const tag = referrersTag(subject);
  let manifests: Descriptor[] = [];
  try {
    const index = await client.getManifest(repo, tag);
    manifests = (JSON.parse(index.bytes.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? [];
  } catch (e) {
    if (!isSignetError(e, 'not-found')) throw e;
  }
  const index = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [...manifests, referrer] };
  await client.putManifest(repo, tag, Buffer.from(JSON.stringify(index)), OCI_INDEX);
}

/** Removes a referrer manifest and its entry in the tag-schema index. */
export async function deleteReferrer(client: ManifestStore, repo: string, subject: string, digest: string) {
  await client.deleteManifest(repo, digest);
  const tag = referrersTag(subject);
  try {
    const index = await client.getManifest(repo, tag);
    const manifests = (
      (JSON.parse(index.bytes.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? []
    ).filter((d) => d.digest !== digest);
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
    await client.putManifest(repo, tag, bytes, OCI_INDEX);
  } catch (e) {
    if (!isSignetError(e, 'not-found')) throw e;
  }
}
