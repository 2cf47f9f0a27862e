import { OCI_MANIFEST } from '../media-types.js';
import type { Descriptor } from '../registry/client.js';
import type { ManifestStore } from '../store.js';
import { BUNDLE_PREDICATE_TYPE_ANNOTATION, COSIGN_SIGN_PREDICATE } from './annotations.js';
import { addReferrer } from './referrers.js';
import type { AttachmentKind } from './tags.js';

interface Endpoint {
  client: ManifestStore;
  repo: string;
}

type CopyManifest = (src: Endpoint, dst: Endpoint, reference: string) => Promise<Descriptor>;

/**
 * Copies the OCI 1.1 referrers of `subject` (cosign v3's signature and attestation bundles, and any other
 * artifact) and lists each one at the destination: through the referrers API when the destination registry
 * indexes the `subject` field itself, else in the referrers tag schema index (`sha256-<hex>`), as signing does.
 * `only` limits the copy to bundles of those kinds (`sig`: cosign's sign predicate; `att`: any other predicate).
 * Returns the copied referrers' digests.
 */
export async function copyReferrers(
  src: Endpoint,
  dst: Endpoint,
  subject: string,
  copyManifest: CopyManifest,
  only?: AttachmentKind[],
): Promise<string[]> {
  const copied: string[] = [];
  for (const referrer of await src.client.referrers(src.repo, subject)) {
    if (only && !only.includes(referrerKind(referrer) as AttachmentKind)) continue;
    const pushed = await copyManifest(src, dst, referrer.digest);
    await addReferrer(dst.client, dst.repo, subject, { ...referrer, digest: pushed.digest, size: pushed.size });
    copied.push(referrer.digest);
  }
  return copied;
}

/** `sig` or `att` for a Sigstore bundle referrer (by its predicate type annotation), else undefined. */
function referrerKind(referrer: Descriptor): AttachmentKind | undefined {
  if (
    referrer.mediaType !== OCI_MANIFEST ||
    !referrer.artifactType?.startsWith('application/vnd.dev.sigstore.bundle')
  ) {
    return undefined;
  }
  return referrer.annotations?.[BUNDLE_PREDICATE_TYPE_ANNOTATION] === COSIGN_SIGN_PREDICATE ? 'sig' : 'att';
}
