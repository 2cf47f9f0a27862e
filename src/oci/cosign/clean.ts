import { isSignetError } from '../../errors.js';
import type { ManifestStore } from '../store.js';
import { deleteReferrer } from './referrers.js';
import { attachmentTag, type AttachmentKind } from './tags.js';

export type CleanType = 'signature' | 'attestation' | 'sbom' | 'referrer' | 'all';

const KIND_OF: Record<Exclude<CleanType, 'referrer' | 'all'>, AttachmentKind> = {
  signature: 'sig',
  attestation: 'att',
  sbom: 'sbom',
};

/** Deletes an image's attachments of the given type (cosign's `clean`); returns what was removed. */
export async function cleanAttachments(
  client: ManifestStore,
  repo: string,
  digest: string,
  type: CleanType,
): Promise<string[]> {
  const removed: string[] = [];
  const kinds = type === 'all' ? Object.values(KIND_OF) : type === 'referrer' ? [] : [KIND_OF[type]];
  for (const kind of kinds) {
    const tag = attachmentTag(digest, kind);
    const head = await client.headManifest(repo, tag);
    if (!head) continue;
    await client.deleteManifest(repo, head.digest);
    removed.push(tag);
  }
  if (type === 'referrer' || type === 'all') {
    for (const ref of await client.referrers(repo, digest)) {
      try {
        await deleteReferrer(client, repo, digest, ref.digest);
        removed.push(ref.digest);
      } catch (e) {
        if (!isSignetError(e, 'not-found')) throw e;
      }
    }
  }
  return removed;
}
