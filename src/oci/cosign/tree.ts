import { isSignetError } from '../../errors.js';
import type { Descriptor } from '../registry/client.js';
import type { ManifestStore } from '../store.js';
import { attachmentTag, type AttachmentKind } from './tags.js';

export interface AttachmentTree {
  /** Layers under each legacy tag that exists. */
  tags: { kind: AttachmentKind; tag: string; layers: Descriptor[] }[];
  /** OCI 1.1 referrers (or their tag-schema fallback). */
  referrers: Descriptor[];
}

const KINDS: AttachmentKind[] = ['sig', 'att', 'sbom'];

/** What is attached to an image: cosign's legacy tags and OCI referrers (cosign's `tree`). */
export async function attachmentTree(client: ManifestStore, repo: string, digest: string): Promise<AttachmentTree> {
  const tags: AttachmentTree['tags'] = [];
  for (const kind of KINDS) {
    const tag = attachmentTag(digest, kind);
    try {
      const manifest = await client.getManifest(repo, tag);
      const layers = (JSON.parse(manifest.bytes.toString('utf8')) as { layers?: Descriptor[] }).layers ?? [];
      tags.push({ kind, tag, layers });
    } catch (e) {
      if (!isSignetError(e, 'not-found')) throw e;
    }
  }
  return { tags, referrers: await client.referrers(repo, digest) };
}
