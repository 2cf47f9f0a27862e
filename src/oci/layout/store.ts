import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { SignetError, invalidInput, notFound } from '../../errors.js';
import { isIndexType, OCI_INDEX, OCI_MANIFEST } from '../media-types.js';
import { sha256Digest, type Descriptor, type FetchedManifest } from '../registry/client.js';
import type { ManifestStore } from '../store.js';

/**
 * cosign's `kind` annotations on the entries of a saved image's index.json (pkg/oci/layout): the image (or index),
 * its `.sig` manifest and its `.att` manifest. cosign writes no SBOM entry; signet adds `.../sboms` for the `.sbom`
 * manifest, which cosign ignores.
 */
const KIND_ANNOTATION = 'kind';
export const LAYOUT_KINDS = {
  image: 'dev.cosignproject.cosign/image',
  imageIndex: 'dev.cosignproject.cosign/imageIndex',
  sig: 'dev.cosignproject.cosign/sigs',
  att: 'dev.cosignproject.cosign/atts',
  sbom: 'dev.cosignproject.cosign/sboms',
} as const;

/** The OCI image layout's tag annotation. */
const REF_NAME = 'org.opencontainers.image.ref.name';
const ATTACHMENT_TAG = /^(sha256-[0-9a-f]{64})\.(sig|att|sbom)$/;
const REFERRERS_TAG = /^sha256-[0-9a-f]{64}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
/** Registries cap manifests at 4 MiB; a bigger blob is a layer, never a referrer. */
const MAX_MANIFEST = 4 * 1024 * 1024;

interface IndexJson {
  schemaVersion: 2;
  mediaType?: string;
  manifests: Descriptor[];
}

/**
 * An OCI image layout directory (`oci-layout`, `index.json`, `blobs/sha256/<hex>`) holding one image as `cosign save`
 * writes it: index.json lists the image with `kind` = `dev.cosignproject.cosign/image` (or `imageIndex`), its `.sig`
 * manifest with `.../sigs` and its `.att` manifest with `.../atts`; OCI 1.1 referrers (bundles) sit in blobs/ only
 * and are found by their `subject`, as `cosign load` and `verify --local-image` find them. Any tag names the image;
 * `sha256-<hex>.sig|att|sbom` name its attachments.
 */
export class LayoutStore implements ManifestStore {
  readonly registry: string;
  readonly #blobs: string;

  private constructor(readonly dir: string) {
    this.registry = `oci-layout:${resolve(dir)}`;
    this.#blobs = join(dir, 'blobs', 'sha256');
  }

  /** A layout to save into: created if missing; an existing index.json starts empty again (as cosign's save). */
  static create(dir: string): LayoutStore {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw invalidInput(`${dir} is not a directory`);
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    const store = new LayoutStore(dir);
    store.#writeIndex({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [] });
    return store;
  }

  /** An existing layout (made by `signet save` or `cosign save`). */
  static open(dir: string): LayoutStore {
    if (!existsSync(join(dir, 'oci-layout')) || !existsSync(join(dir, 'index.json'))) {
      throw new SignetError('invalid-input', `${dir} is not an OCI image layout (no oci-layout or index.json)`, {
        detail: { hint: `save an image there with \`signet save --dir ${dir} IMAGE\`` },
      });
    }
    const store = new LayoutStore(dir);
    store.#readIndex();
    return store;
  }

  async getManifest(_repo: string, reference: string): Promise<FetchedManifest> {
    const found = this.#resolve(reference);
    if (!found) throw notFound(`manifest ${reference} not found in ${this.dir}`);
    const bytes = this.#readBlob(found.digest);
    const mediaType = found.mediaType || mediaTypeOf(bytes);
    return { mediaType, digest: found.digest, bytes };
  }

  async headManifest(_repo: string, reference: string): Promise<Descriptor | undefined> {
    const found = this.#resolve(reference);
    if (!found || !existsSync(this.#blobPath(found.digest))) return undefined;
    const bytes = this.#readBlob(found.digest);
    return { mediaType: found.mediaType || mediaTypeOf(bytes), digest: found.digest, size: bytes.length };
  }

  async putManifest(_repo: string, reference: string, bytes: Buffer, mediaType: string): Promise<Descriptor> {
    const descriptor = await this.pushBlob('', bytes, mediaType);
    if (DIGEST.test(reference)) {
      if (reference !== descriptor.digest) throw invalidInput(`manifest does not match its digest ${reference}`);
      return descriptor;
    }
    // The referrers tag schema index is not kept: a layout's referrers are found by their subject.
    if (REFERRERS_TAG.test(reference)) return descriptor;
    const index = this.#readIndex();
    const attachment = ATTACHMENT_TAG.exec(reference);
    if (attachment && this.#imageEntry()?.digest.replace(':', '-') !== attachment[1]) {
      // An attachment of a manifest inside the saved index: cosign's layout has no kind for it, so it is named by
      // the OCI layout's own tag annotation (cosign ignores such entries).
      const manifests = index.manifests.filter((m) => m.annotations?.[REF_NAME] !== reference);
      this.#writeIndex({
        ...index,
        manifests: [...manifests, { ...descriptor, annotations: { [REF_NAME]: reference } }],
      });
      return descriptor;
    }
    const kind = kindOfTag(reference, mediaType);
    const kept = index.manifests.filter((m) => m.annotations?.[KIND_ANNOTATION] !== kind);
    const entry = { ...descriptor, annotations: { [KIND_ANNOTATION]: kind } };
    // The image first, then its attachments, as cosign writes them.
    const image = kind === LAYOUT_KINDS.image || kind === LAYOUT_KINDS.imageIndex;
    const imageKinds: string[] = [LAYOUT_KINDS.image, LAYOUT_KINDS.imageIndex];
    this.#writeIndex({
      ...index,
      manifests: image
        ? [entry, ...kept.filter((m) => !imageKinds.includes(m.annotations?.[KIND_ANNOTATION] ?? ''))]
        : [...kept, entry],
    });
    return descriptor;
  }

  async deleteManifest(_repo: string, digest: string): Promise<void> {
    const index = this.#readIndex();
    const manifests = index.manifests.filter((m) => m.digest !== digest);
    if (manifests.length === index.manifests.length) throw notFound(`manifest ${digest} not found in ${this.dir}`);
    this.#writeIndex({ ...index, manifests });
  }

  async getBlob(_repo: string, digest: string): Promise<Buffer> {
    return this.#readBlob(digest);
  }

  async hasBlob(_repo: string, digest: string): Promise<boolean> {
    return DIGEST.test(digest) && existsSync(this.#blobPath(digest));
  }

  async pushBlob(_repo: string, data: Buffer, mediaType: string): Promise<Descriptor> {
    const digest = sha256Digest(data);
    const path = this.#blobPath(digest);
    if (!existsSync(path)) {
      // Written aside then renamed, so an interrupted save leaves no truncated blob under a digest name.
      writeFileSync(`${path}.tmp`, data);
      renameSync(`${path}.tmp`, path);
    }
    return { mediaType, digest, size: data.length };
  }

  async listTags(): Promise<string[]> {
    const image = this.#imageEntry();
    if (!image) return [];
    const tags = ['latest'];
    for (const kind of ['sig', 'att', 'sbom'] as const) {
      if (this.#entryOfKind(LAYOUT_KINDS[kind])) tags.push(`${image.digest.replace(':', '-')}.${kind}`);
    }
    return tags;
  }

  /** Manifests in blobs/ whose `subject` is `digest` (what `cosign load` pushes back as referrers). */
  async referrers(_repo: string, digest: string): Promise<Descriptor[]> {
    const found: Descriptor[] = [];
    for (const name of readdirSync(this.#blobs).sort()) {
      if (!/^[0-9a-f]{64}$/.test(name)) continue;
      const path = join(this.#blobs, name);
      const size = statSync(path).size;
      if (size > MAX_MANIFEST || !(await startsWithBrace(path))) continue;
      let manifest: { mediaType?: string; artifactType?: string; config?: Descriptor; subject?: Descriptor };
      let annotations: Record<string, string> | undefined;
      try {
        manifest = JSON.parse(readFileSync(path, 'utf8')) as typeof manifest;
        annotations = (manifest as { annotations?: Record<string, string> }).annotations;
      } catch {
        continue;
      }
      if (manifest?.subject?.digest !== digest) continue;
      const artifactType = manifest.artifactType ?? manifest.config?.mediaType;
      found.push({
        mediaType: manifest.mediaType ?? OCI_MANIFEST,
        digest: `sha256:${name}`,
        size,
        ...(artifactType ? { artifactType } : {}),
        ...(annotations ? { annotations } : {}),
      });
    }
    return found;
  }

  /** A tag or digest to the descriptor it names, or undefined. */
  #resolve(reference: string): Descriptor | undefined {
    if (DIGEST.test(reference)) {
      const listed = this.#readIndex().manifests.find((m) => m.digest === reference);
      if (listed) return listed;
      return existsSync(this.#blobPath(reference)) ? { mediaType: '', digest: reference, size: 0 } : undefined;
    }
    if (REFERRERS_TAG.test(reference)) return undefined;
    const attachment = ATTACHMENT_TAG.exec(reference);
    if (!attachment) return this.#imageEntry();
    if (this.#imageEntry()?.digest.replace(':', '-') !== attachment[1]) {
      return this.#readIndex().manifests.find((m) => m.annotations?.[REF_NAME] === reference);
    }
    return this.#entryOfKind(LAYOUT_KINDS[attachment[2] as 'sig' | 'att' | 'sbom']);
  }

  /** cosign's image entry; in a plain OCI layout (skopeo's, no kinds), its one manifest. */
  #imageEntry(): Descriptor | undefined {
    const cosign = this.#entryOfKind(LAYOUT_KINDS.image) ?? this.#entryOfKind(LAYOUT_KINDS.imageIndex);
    if (cosign) return cosign;
    const plain = this.#readIndex().manifests.filter(
      (m) => !m.annotations?.[KIND_ANNOTATION] && !ATTACHMENT_TAG.test(m.annotations?.[REF_NAME] ?? ''),
    );
    return plain.length === 1 ? plain[0] : undefined;
  }

  #entryOfKind(kind: string): Descriptor | undefined {
    return this.#readIndex().manifests.find((m) => m.annotations?.[KIND_ANNOTATION] === kind);
  }

  #readIndex(): IndexJson {
    const path = join(this.dir, 'index.json');
    let index: IndexJson;
    try {
      index = JSON.parse(readFileSync(path, 'utf8')) as IndexJson;
    } catch (e) {
      throw invalidInput(`${path} is not JSON`, e);
    }
    if (!Array.isArray(index?.manifests)) throw invalidInput(`${path} is not an OCI image index (no manifests)`);
    return index;
  }

  #writeIndex(index: IndexJson): void {
    const path = join(this.dir, 'index.json');
    writeFileSync(`${path}.tmp`, JSON.stringify(index));
    renameSync(`${path}.tmp`, path);
  }

  #blobPath(digest: string): string {
    if (!DIGEST.test(digest)) throw invalidInput(`"${digest}" is not a sha256 digest`);
    return join(this.#blobs, digest.slice(7));
  }

  #readBlob(digest: string): Buffer {
    let bytes: Buffer;
    try {
      bytes = readFileSync(this.#blobPath(digest));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`blob ${digest} not found in ${this.dir}`);
      throw e;
    }
    if (sha256Digest(bytes) !== digest) {
      throw new SignetError('verification-failed', `blob ${digest} in ${this.dir}: content does not match its digest`);
    }
    return bytes;
  }
}

/** The `kind` of a tag written into the layout: an attachment tag's kind, else the image (or index). */
function kindOfTag(tag: string, mediaType: string): string {
  const attachment = ATTACHMENT_TAG.exec(tag);
  if (attachment) return LAYOUT_KINDS[attachment[2] as 'sig' | 'att' | 'sbom'];
  return isIndexType(mediaType) ? LAYOUT_KINDS.imageIndex : LAYOUT_KINDS.image;
}

function mediaTypeOf(bytes: Buffer): string {
  try {
    return (JSON.parse(bytes.toString('utf8')) as { mediaType?: string }).mediaType ?? '';
  } catch {
    return '';
  }
}

async function startsWithBrace(path: string): Promise<boolean> {
  const file = await open(path, 'r');
  try {
    const { buffer, bytesRead } = await file.read(Buffer.alloc(1), 0, 1, 0);
    return bytesRead === 1 && buffer[0] === 0x7b;
  } finally {
    await file.close();
  }
}
