import { isIndexType, resolveImage, type Descriptor, type ImageReference, type ImageSession } from '../oci/index.js';

/** An image manifest to sign or verify: its repository and descriptor. */
export interface ImageTarget {
  ref: ImageReference;
  descriptor: Descriptor;
}

/**
 * Resolves the image (a tag to its digest); with `recursive`, an index yields itself and every manifest it lists,
 * as cosign's `--recursive`.
 */
export async function imageTargets(session: ImageSession, recursive = false): Promise<ImageTarget[]> {
  const { ref, descriptor } = await resolveImage(session);
  const targets: ImageTarget[] = [{ ref, descriptor }];
  if (recursive && isIndexType(descriptor.mediaType)) {
    const index = await session.client.getManifest(ref.repository, descriptor.digest);
    const children = (JSON.parse(index.bytes.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? [];
    for (const child of children) {
      targets.push({
        ref: { ...ref, digest: child.digest },
        descriptor: { mediaType: child.mediaType, digest: child.digest, size: child.size },
      });
    }
  }
  return targets;
}

/** The sha256 hex of a manifest digest (cosign signs sha256 image digests only). */
export function digestHex(digest: string): string {
  const [alg, hex] = digest.split(':');
  if (alg !== 'sha256' || !hex) throw new Error(`unsupported image digest ${digest}`);
  return hex;
}
