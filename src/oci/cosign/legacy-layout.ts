import { isSignetError } from '../../errors.js';
import { DOCKER_CONFIG, DOCKER_MANIFEST, OCI_CONFIG, OCI_MANIFEST } from '../media-types.js';
import type { Descriptor } from '../registry/client.js';
import type { ManifestStore } from '../store.js';
import { attachmentTag, type AttachmentKind } from './tags.js';

/** One attachment layer of a legacy `.sig` / `.att` / `.sbom` manifest, with its blob. */
export interface AttachedLayer {
  mediaType: string;
  digest: string;
  annotations: Record<string, string>;
  payload: Buffer;
}

interface Manifest {
  schemaVersion: 2;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

/** cosign reads at most this many attachments of one kind (a guard against a registry full of junk). */
export const MAX_ATTACHMENTS = 100;

/** The layers attached to an image digest under the kind's tag; none when the tag does not exist. */
export async function readAttachments(
  client: ManifestStore,
  repo: string,
  imageDigest: string,
  kind: AttachmentKind,
): Promise<AttachedLayer[]> {
  const manifest = await readManifest(client, repo, attachmentTag(imageDigest, kind));
  if (!manifest) return [];
  const layers = manifest.layers.slice(0, MAX_ATTACHMENTS);
  return Promise.all(
    layers.map(async (layer) => ({
      mediaType: layer.mediaType,
      digest: layer.digest,
      annotations: layer.annotations ?? {},
      payload: await client.getBlob(repo, layer.digest),
    })),
  );
}

/**
 * Appends a layer to the kind's manifest (read, append, write, as cosign does; the last writer wins when two race).
 * A layer identical to one already there (same payload digest and annotations) is not added twice. With
 * `replace`, layers for which it returns true are dropped first (cosign's --replace, and SBOMs which keep one).
 */
export async function appendAttachment(
  client: ManifestStore,
  repo: string,
  imageDigest: string,
  kind: AttachmentKind,
  layer: { mediaType: string; payload: Buffer; annotations: Record<string, string> },
  options: { dockerMediaTypes?: boolean; replace?: (existing: Descriptor) => boolean } = {},
): Promise<Descriptor> {
  const tag = attachmentTag(imageDigest, kind);
  const existing = (await readManifest(client, repo, tag))?.layers ?? [];
  const kept = options.replace ? existing.filter((l) => !options.replace!(l)) : existing;
  const blob = await client.pushBlob(repo, layer.payload, layer.mediaType);
  const descriptor: Descriptor = { ...blob, annotations: layer.annotations };
  const duplicate = kept.some(
    (l) => l.digest === blob.digest && sameAnnotations(l.annotations ?? {}, layer.annotations),
  );
  const layers = duplicate ? kept : [...kept, descriptor];
  const configType = options.dockerMediaTypes ? DOCKER_CONFIG : OCI_CONFIG;
  const config = await client.pushBlob(repo, emptyImageConfig(layers), configType);
  const manifestType = options.dockerMediaTypes ? DOCKER_MANIFEST : OCI_MANIFEST;
  const manifest: Manifest = { schemaVersion: 2, mediaType: manifestType, config, layers };
  await client.putManifest(repo, tag, Buffer.from(JSON.stringify(manifest)), manifestType);
  return descriptor;
}

async function readManifest(client: ManifestStore, repo: string, tag: string): Promise<Manifest | undefined> {
  try {
    const fetched = await client.getManifest(repo, tag);
    const parsed = JSON.parse(fetched.bytes.toString('utf8')) as Manifest;
    return Array.isArray(parsed.layers) ? parsed : undefined;
  } catch (e) {
    if (isSignetError(e, 'not-found')) return undefined;
    throw e;
  }
}

/** go-containerregistry's empty image config with one diff ID and history entry per layer, as cosign writes. */
function emptyImageConfig(layers: Descriptor[]): Buffer {
  const epoch = '0001-01-01T00:00:00Z';
  return Buffer.from(
    JSON.stringify({
      architecture: '',
      created: epoch,
      history: layers.map(() => ({ created: epoch })),
      os: '',
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
      config: {},
    }),
  );
}

function sameAnnotations(a: Record<string, string>, b: Record<string, string>): boolean {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}
