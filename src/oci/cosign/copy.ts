import { invalidInput, isSignetError } from '../../errors.js';
import { isIndexType } from '../media-types.js';
import type { Descriptor } from '../registry/client.js';
import type { ManifestStore } from '../store.js';
import { copyReferrers } from './copy-referrers.js';
import { attachmentTag, type AttachmentKind } from './tags.js';

interface Endpoint {
  client: ManifestStore;
  repo: string;
}

/**
 * Copies a manifest (and, for an index, every child manifest) with its blobs from one repository to another,
 * mounting blobs when both are on the same registry. Returns the copied manifest's descriptor.
 */
export async function copyManifest(src: Endpoint, dst: Endpoint, reference: string, dstTag?: string) {
  const fetched = await src.client.getManifest(src.repo, reference);
  const manifest = JSON.parse(fetched.bytes.toString('utf8')) as {
    config?: Descriptor;
    layers?: Descriptor[];
    manifests?: Descriptor[];
  };
  if (isIndexType(fetched.mediaType)) {
    for (const child of manifest.manifests ?? []) await copyManifest(src, dst, child.digest);
  } else {
    for (const blob of [manifest.config, ...(manifest.layers ?? [])]) {
      if (blob) await copyBlob(src, dst, blob);
    }
  }
  return dst.client.putManifest(dst.repo, dstTag ?? fetched.digest, fetched.bytes, fetched.mediaType);
}

async function copyBlob(src: Endpoint, dst: Endpoint, blob: Descriptor) {
  if (await dst.client.hasBlob(dst.repo, blob.digest)) return;
  const sameRegistry = src.client.registry === dst.client.registry;
  const data = await src.client.getBlob(src.repo, blob.digest);
  await dst.client.pushBlob(dst.repo, data, blob.mediaType, sameRegistry ? src.repo : undefined);
}

/**
 * Copies an image and what cosign attaches to it: the `.sig`, `.att`, `.sbom` tags (legacy layout) and the OCI 1.1
 * referrers (cosign v3's bundles, signet's default) of the image and, for an index, of each of its manifests.
 * `only` limits the kinds. Returns what was copied: the image digest, then tags and referrer digests.
 */
export async function copyImageWithAttachments(
  src: Endpoint,
  dst: Endpoint,
  digest: string,
  dstTag: string | undefined,
  only?: AttachmentKind[],
  force = false,
): Promise<string[]> {
  if (dstTag && !force) await refuseOverwrite(src, dst, digest, dstTag);
  const image = await copyManifest(src, dst, digest, dstTag);
  const copied = [image.digest];
  // As cosign's copy walks an index: what is attached to each of its manifests follows too (`sign -r` puts it there).
  const subjects = [digest, ...(await childManifests(src, image))];
  for (const subject of subjects) {
    for (const kind of only ?? (['sig', 'att', 'sbom'] as const)) {
      const tag = attachmentTag(subject, kind);
      if (await copyTag(src, dst, tag, force)) copied.push(tag);
    }
  }
  for (const subject of subjects) {
    copied.push(...(await copyReferrers(src, dst, subject, copyManifest, only)));
  }
  return copied;
}

/** Copies a tag that may not exist (most images lack some kinds); returns whether it did. */
async function copyTag(src: Endpoint, dst: Endpoint, tag: string, force: boolean): Promise<boolean> {
  try {
    if (!force) await refuseOverwrite(src, dst, tag, tag);
    await copyManifest(src, dst, tag, tag);
    return true;
  } catch (e) {
    if (!isSignetError(e, 'not-found')) throw e;
    return false;
  }
}

/**
 * cosign's rule without `-f`: a destination tag that already names another manifest is not overwritten (the same
 * manifest is fine). A source that does not exist is left to the copy, which skips it.
 */
async function refuseOverwrite(src: Endpoint, dst: Endpoint, reference: string, tag: string): Promise<void> {
  const there = await dst.client.headManifest(dst.repo, tag);
  if (!there) return;
  const wanted = await src.client.headManifest(src.repo, reference);
  if (wanted && wanted.digest !== there.digest) {
    throw invalidInput(`image "${dst.client.registry}/${dst.repo}:${tag}" already exists. Use \`-f\` to overwrite`);
  }
}

/** The manifests an index lists (signing with --recursive attaches to each of them too). */
async function childManifests(src: Endpoint, image: Descriptor): Promise<string[]> {
  if (!isIndexType(image.mediaType)) return [];
  const fetched = await src.client.getManifest(src.repo, image.digest);
  return ((JSON.parse(fetched.bytes.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? []).map(
    (m) => m.digest,
  );
}
