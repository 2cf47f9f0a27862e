import { invalidInput } from '../errors.js';
import { appendAttachment, attachmentTag, type Descriptor, type ImageSession } from '../oci/index.js';
import type { ImageTarget } from './targets.js';

/** SBOM media types cosign attaches (`attach sbom --type`, `--input-format`). */
const SBOM_MEDIA_TYPES: Record<string, string> = {
  'spdx/text': 'text/spdx',
  'spdx/json': 'text/spdx+json',
  'cyclonedx/json': 'application/vnd.cyclonedx+json',
  'cyclonedx/xml': 'application/vnd.cyclonedx+xml',
  'syft/json': 'application/vnd.syft+json',
};

export function sbomMediaType(type: string, inputFormat?: string): string {
  const format = inputFormat ?? (type === 'spdx' ? 'text' : 'json');
  const mediaType = SBOM_MEDIA_TYPES[`${type}/${format}`];
  if (!mediaType) throw invalidInput(`unsupported SBOM type ${type} with input format ${format}`);
  return mediaType;
}

/**
 * Attaches an SBOM at the image's `.sbom` tag (one layer: a new SBOM replaces the old). Returns the `.sbom`
 * manifest as a target, so it can be signed like an image (cosign's `sign --attachment sbom`).
 */
export async function attachSbom(session: ImageSession, target: ImageTarget, sbom: Buffer, mediaType: string) {
  await appendAttachment(
    session.client,
    target.ref.repository,
    target.descriptor.digest,
    'sbom',
    { mediaType, payload: sbom, annotations: {} },
    { replace: () => true },
  );
  return sbomTarget(session, target);
}

/** The `.sbom` manifest of an image as a signable target. */
export async function sbomTarget(session: ImageSession, target: ImageTarget): Promise<ImageTarget> {
  const tag = attachmentTag(target.descriptor.digest, 'sbom');
  const head: Descriptor | undefined = await session.client.headManifest(target.ref.repository, tag);
  if (!head) throw invalidInput(`${target.ref.repository} has no SBOM attached to ${target.descriptor.digest}`);
  return { ref: { ...target.ref, digest: head.digest }, descriptor: head };
}
