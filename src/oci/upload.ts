import { OCI_EMPTY, OCI_MANIFEST } from './media-types.js';
import type { ImageSession } from './session.js';

/** Uploads a file as a one-layer OCI artifact at the session's reference (cosign's `upload blob`). */
export async function uploadBlobImage(session: ImageSession, data: Buffer, mediaType: string): Promise<string> {
  const { client, ref } = session;
  const layer = await client.pushBlob(ref.repository, data, mediaType);
  const config = await client.pushBlob(ref.repository, Buffer.from('{}'), OCI_EMPTY);
  const manifest = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: mediaType, config, layers: [layer] }),
  );
  const pushed = await client.putManifest(ref.repository, ref.digest ?? ref.tag ?? 'latest', manifest, OCI_MANIFEST);
  return pushed.digest;
}
