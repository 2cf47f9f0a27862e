import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isSignetError } from '../../src/errors.js';
import {
  LayoutStore,
  OCI_INDEX,
  OCI_MANIFEST,
  SIGSTORE_BUNDLE_V03,
  attachmentTag,
  parsePlatform,
  readAttachments,
  readBundleReferrers,
} from '../../src/oci/index.js';
import { tempDir } from '../helpers/process.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/**
 * A layout as `cosign save` leaves it: index.json lists the image and its `.sig` manifest by `kind`; a referrer
 * bundle sits in blobs/ only (cosign's save writes it, then starts index.json again for the image).
 */
function cosignSavedLayout(extraIndexEntries: object[] = []) {
  const dir = tempDir('signet-layout-');
  dirs.push(dir);
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (data: string | Buffer) => {
    const bytes = Buffer.from(data);
    const hex = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(blobs, hex), bytes);
    return { digest: `sha256:${hex}`, size: bytes.length };
  };
  const config = put('{}');
  put(Buffer.alloc(64, 0x1f)); // a layer: not JSON, skipped when looking for referrers
  const manifest = (layers: object[], more: object = {}) =>
    put(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers, ...more }));
  const image = manifest([]);
  const payload = put('{"critical":{}}');
  const sigs = manifest([
    { mediaType: 'x', ...payload, annotations: { 'dev.cosignproject.cosign/signature': 'c2ln' } },
  ]);
  const bundle = put('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}');
  const referrer = manifest([{ mediaType: SIGSTORE_BUNDLE_V03, ...bundle }], {
    artifactType: SIGSTORE_BUNDLE_V03,
    subject: { mediaType: OCI_MANIFEST, ...image },
  });
  writeFileSync(join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: OCI_MANIFEST, ...image, annotations: { kind: 'dev.cosignproject.cosign/image' } },
        { mediaType: OCI_MANIFEST, ...sigs, annotations: { kind: 'dev.cosignproject.cosign/sigs' } },
        ...extraIndexEntries,
      ],
    }),
  );
  return { dir, image, sigs, referrer, payload };
}

describe("LayoutStore: an OCI image layout in cosign's layout", () => {
  it('reads what cosign save writes: the image by any tag, its .sig by tag, referrers by subject', async () => {
    const saved = cosignSavedLayout();
    const store = LayoutStore.open(saved.dir);
    assert.equal((await store.getManifest('', 'latest')).digest, saved.image.digest);
    assert.equal((await store.headManifest('', 'v1'))?.digest, saved.image.digest);
    const [layer] = await readAttachments(store, '', saved.image.digest, 'sig');
    assert.equal(layer!.digest, saved.payload.digest);
    assert.deepEqual(await readAttachments(store, '', saved.image.digest, 'att'), []);
    const [found] = await readBundleReferrers(store, '', saved.image.digest);
    assert.equal(found!.manifest.digest, saved.referrer.digest);
    assert.equal(found!.manifest.artifactType, SIGSTORE_BUNDLE_V03);
    assert.equal(await store.headManifest('', attachmentTag('sha256:' + 'a'.repeat(64), 'sig')), undefined);
  });

  it("writes a child manifest's attachment under the layout's tag annotation, not over the image's", async () => {
    const saved = cosignSavedLayout();
    const store = LayoutStore.open(saved.dir);
    const child = 'sha256:' + 'c'.repeat(64);
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [] }));
    await store.putManifest('', attachmentTag(child, 'sig'), bytes, OCI_MANIFEST);
    assert.equal((await store.getManifest('', attachmentTag(child, 'sig'))).bytes.toString(), bytes.toString());
    assert.equal((await store.getManifest('', attachmentTag(saved.image.digest, 'sig'))).digest, saved.sigs.digest);
  });

  it("a plain OCI layout (skopeo's: one manifest named by tag, no kinds) holds that manifest as the image", async () => {
    const saved = cosignSavedLayout();
    const index = JSON.parse(readFileSync(join(saved.dir, 'index.json'), 'utf8'));
    index.manifests = [{ ...index.manifests[0], annotations: { 'org.opencontainers.image.ref.name': 'latest' } }];
    writeFileSync(join(saved.dir, 'index.json'), JSON.stringify(index));
    const store = LayoutStore.open(saved.dir);
    assert.equal((await store.getManifest('', 'v1')).digest, saved.image.digest);
    assert.deepEqual(await readAttachments(store, '', saved.image.digest, 'sig'), []);
  });

  it('refuses a directory that is not a layout, with a hint', () => {
    const dir = tempDir('signet-layout-');
    dirs.push(dir);
    assert.throws(
      () => LayoutStore.open(dir),
      (e) => isSignetError(e, 'invalid-input') && /not an OCI image layout/.test(e.message) && !!e.detail.hint,
    );
  });

  it('a tampered blob fails its digest check', async () => {
    const saved = cosignSavedLayout();
    writeFileSync(join(saved.dir, 'blobs', 'sha256', saved.sigs.digest.slice(7)), '{"tampered":true}');
    await assert.rejects(
      LayoutStore.open(saved.dir).getManifest('', attachmentTag(saved.image.digest, 'sig')),
      /content does not match its digest/,
    );
  });
});

describe('parsePlatform', () => {
  for (const [text, want] of [
    ['linux/amd64', { os: 'linux', architecture: 'amd64' }],
    ['linux/arm/v7', { os: 'linux', architecture: 'arm', variant: 'v7' }],
    ['linux', { os: 'linux' }],
    ['windows/amd64:10.0.17763', { os: 'windows', architecture: 'amd64', 'os.version': '10.0.17763' }],
  ] as const) {
    it(text, () => assert.deepEqual(parsePlatform(text), want));
  }
  for (const bad of ['', 'linux//v7', 'a/b/c/d', '/amd64']) {
    it(`refuses ${JSON.stringify(bad)}`, () => assert.throws(() => parsePlatform(bad), /is not os\/arch/));
  }
});
