import { OCI_EMPTY, OCI_INDEX, OCI_MANIFEST } from './media-types.js';
import type { Platform } from './platform.js';
import { sha256Digest, type Descriptor } from './registry/client.js';
import type { ImageSession } from './session.js';

/** One file of `upload blob`, with the platform it is for when several make an index. */
export interface UploadFile {
  data: Buffer;
  mediaType: string;
  platform?: Platform;
}

/**
 * Uploads a file as a one-layer OCI artifact at the session's reference (cosign's `upload blob`), with `annotations`
 * on its manifest. Several files (each with a platform) become one image each and an index of them at the reference.
 * Returns the digest at the reference and each file's layer.
 */
export async function uploadBlobImage(
  session: ImageSession,
  files: UploadFile[],
  annotations?: Record<string, string>,
): Promise<{ digest: string; layers: Descriptor[] }> {
  const { client, ref } = session;
  const target = ref.digest ?? ref.tag ?? 'latest';
  const config = await client.pushBlob(ref.repository, Buffer.from('{}'), OCI_EMPTY);
  const images: (Descriptor & { platform?: Platform })[] = [];
  const layers: Descriptor[] = [];
  for (const file of files) {
    const layer = await client.pushBlob(ref.repository, file.data, file.mediaType);
    layers.push(layer);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: file.mediaType,
        config,
        layers: [layer],
        ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
      }),
    );
    const single = files.length === 1;
    const pushed = await client.putManifest(
      ref.repository,
      single ? target : sha256Digest(manifest),
      manifest,
      OCI_MANIFEST,
    );
    images.push({ ...pushed, ...(file.platform ? { platform: file.platform } : {}) });
  }
  if (files.length === 1) return { digest: images[0]!.digest, layers };
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: images,
      ...(annotations && Object.keys(annotations).length ? { annotations } : {}),
    }),
  );
  const pushed = await client.putManifest(ref.repository, target, index, OCI_INDEX);
  return { digest: pushed.digest, layers };
}
