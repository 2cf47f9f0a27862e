import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  COSIGN_SIGN_PREDICATE,
  OCI_INDEX,
  RegistryClient,
  copyImageWithAttachments,
  pushBundleReferrer,
  readBundleReferrers,
  referrersTag,
  type Descriptor,
} from '../../src/oci/index.js';
import { hasProgram, requireOrSkip } from '../helpers/env.js';
import { pushTestImage, skopeoRaw, startRegistry, type RunningRegistry } from '../helpers/registry.js';

const SLSA = 'https://slsa.dev/provenance/v1';

/** `copy` against Debian's docker-registry 2.8 (no referrers API: the tag-schema fallback on both sides). */
describe('copyImageWithAttachments: referrers', () => {
  const tools = hasProgram('docker-registry', '--version') && hasProgram('skopeo');
  let registry: RunningRegistry | undefined;
  let client: RegistryClient;
  before(async () => {
    if (!tools) return;
    registry = await startRegistry();
    client = new RegistryClient(registry.host);
  });
  after(() => registry?.stop());

  /** Two single-platform images under one index, tagged `repo:v1`. */
  async function pushIndex(repo: string): Promise<{ index: Descriptor; children: Descriptor[] }> {
    const children: Descriptor[] = [];
    for (const arch of ['amd64', 'arm64']) {
      pushTestImage(`${registry!.host}/${repo}:${arch}`);
      children.push(await client.headManifest(repo, arch).then((d) => d!));
    }
    const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: children }));
    return { index: await client.putManifest(repo, 'v1', bytes, OCI_INDEX), children };
  }
  const attach = (repo: string, subject: Descriptor, predicateType: string) =>
    pushBundleReferrer(client, repo, subject, Buffer.from(JSON.stringify({ predicateType, of: subject.digest })), {
      [BUNDLE_PREDICATE_TYPE_ANNOTATION]: predicateType,
    });
  const predicates = async (repo: string, digest: string) =>
    (await readBundleReferrers(client, repo, digest)).map((r) => JSON.parse(r.bundle.toString()).predicateType).sort();

  it("copies the referrers of an index and of each of its manifests, listed in the destination's tag index", async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const { index, children } = await pushIndex('src/multi');
    await attach('src/multi', index, COSIGN_SIGN_PREDICATE);
    await attach('src/multi', index, SLSA);
    await attach('src/multi', children[1]!, COSIGN_SIGN_PREDICATE);

    const src = { client, repo: 'src/multi' };
    const dst = { client, repo: 'dst/multi' };
    const copied = await copyImageWithAttachments(src, dst, index.digest, 'v1');
    assert.equal(copied[0], index.digest);
    assert.equal(copied.length, 4, 'the index and three referrers');
    assert.deepEqual(await predicates('dst/multi', index.digest), [COSIGN_SIGN_PREDICATE, SLSA]);
    assert.deepEqual(await predicates('dst/multi', children[1]!.digest), [COSIGN_SIGN_PREDICATE]);
    assert.deepEqual(await predicates('dst/multi', children[0]!.digest), []);
    // The fallback index carries what `tree` and `--only` read: artifact type and predicate annotation.
    const tagIndex = JSON.parse(skopeoRaw(`${registry!.host}/dst/multi:${referrersTag(index.digest)}`));
    for (const m of tagIndex.manifests) {
      assert.equal(m.artifactType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
      assert.ok(m.annotations[BUNDLE_PREDICATE_TYPE_ANNOTATION]);
    }

    // Again: nothing is listed twice.
    await copyImageWithAttachments(src, dst, index.digest, 'v1');
    const again = JSON.parse(skopeoRaw(`${registry!.host}/dst/multi:${referrersTag(index.digest)}`));
    assert.equal(again.manifests.length, 2);
  });

  it('--only att copies attestation bundles, not signature bundles; --only sig the reverse', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const digest = pushTestImage(`${registry!.host}/src/single:v1`);
    const image = (await client.headManifest('src/single', digest))!;
    await attach('src/single', image, COSIGN_SIGN_PREDICATE);
    await attach('src/single', image, SLSA);
    const src = { client, repo: 'src/single' };
    await copyImageWithAttachments(src, { client, repo: 'dst/att' }, digest, 'v1', ['att']);
    assert.deepEqual(await predicates('dst/att', digest), [SLSA]);
    await copyImageWithAttachments(src, { client, repo: 'dst/sig' }, digest, 'v1', ['sig']);
    assert.deepEqual(await predicates('dst/sig', digest), [COSIGN_SIGN_PREDICATE]);
    await copyImageWithAttachments(src, { client, repo: 'dst/sbom' }, digest, 'v1', ['sbom']);
    assert.deepEqual(await predicates('dst/sbom', digest), []);
  });
});
