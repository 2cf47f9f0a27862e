import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { TrustedRoot } from '../../src/bundle/index.js';
import {
  NoMatchingSignaturesError,
  attachSbom,
  attestImage,
  imageTargets,
  sbomMediaType,
  sbomTarget,
  signImage,
  verifyImageAttestations,
  verifyImageSignatures,
  type VerifyImageOptions,
} from '../../src/image/index.js';
import {
  OCI_INDEX,
  OCI_MANIFEST,
  RegistryClient,
  openImage,
  pushBundleReferrer,
  readAttachments,
} from '../../src/oci/index.js';
import { signerFromPrivateKey } from '../../src/sign/index.js';
import type { TrustMaterial } from '../../src/verify/index.js';
import { hasProgram, requireOrSkip } from '../helpers/env.js';
import { pushTestImage, skopeoRaw, startRegistry, type RunningRegistry } from '../helpers/registry.js';

const tools = hasProgram('docker-registry', '--version') && hasProgram('skopeo');
const noTrust: TrustMaterial = {
  root: {} as TrustedRoot,
  tlogs: [],
  ctlogs: [],
  certificateAuthorities: [],
  timestampAuthorities: [],
};
const newSigner = () => signerFromPrivateKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);

describe('src/image against a real registry (key-based, no log)', () => {
  let registry: RunningRegistry | undefined;
  before(async () => {
    if (tools) registry = await startRegistry();
  });
  after(() => registry?.stop());

  const signer = newSigner();
  const verifyOptions = (extra: Partial<VerifyImageOptions> = {}): VerifyImageOptions => ({
    trust: noTrust,
    key: signer.publicKey,
    ignoreTlog: true,
    ...extra,
  });
  const session = (name: string) => {
    const digest = pushTestImage(`${registry!.host}/unit/${name}:v1`);
    return { s: openImage(`${registry!.host}/unit/${name}@${digest}`), digest };
  };

  it('signs an index and every manifest in it with --recursive', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const a = pushTestImage(`${registry!.host}/unit/multi:a`);
    const b = pushTestImage(`${registry!.host}/unit/multi:b`);
    const client = new RegistryClient(registry!.host);
    const manifests = await Promise.all(
      [a, b].map(async (d) => ({ ...(await client.headManifest('unit/multi', d))!, mediaType: OCI_MANIFEST })),
    );
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
    await client.putManifest('unit/multi', 'all', index, OCI_INDEX);
    const s = openImage(`${registry!.host}/unit/multi:all`);
    const targets = await imageTargets(s, true);
    assert.deepEqual(targets.map((x) => x.descriptor.digest).slice(1), [a, b]);
    assert.equal(targets[0]!.descriptor.mediaType, OCI_INDEX);
    assert.equal((await imageTargets(s, false)).length, 1);
    for (const target of targets) await signImage(s, target, { signer, tlogUpload: false, newBundleFormat: true });
    for (const target of targets) {
      const [item] = await verifyImageSignatures(s, target, verifyOptions());
      assert.equal(item!.layout, 'bundle');
    }
  });

  it('writes Docker media types when asked (COSIGN_DOCKER_MEDIA_TYPES) and still verifies', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const { s, digest } = session('docker');
    const [target] = await imageTargets(s);
    await signImage(s, target!, { signer, tlogUpload: false, dockerMediaTypes: true, annotations: { a: '1' } });
    const sig = JSON.parse(skopeoRaw(`${registry!.host}/unit/docker:${digest.replace(':', '-')}.sig`));
    assert.equal(sig.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.equal(sig.config.mediaType, 'application/vnd.docker.container.image.v1+json');
    const [item] = await verifyImageSignatures(s, target!, verifyOptions({ annotations: { a: '1' } }));
    assert.equal(item!.layout, 'legacy');
    await assert.rejects(
      verifyImageSignatures(s, target!, verifyOptions({ annotations: { a: '2' } })),
      (e: unknown) => e instanceof NoMatchingSignaturesError && e.found === 1,
    );
    // --check-claims=false skips the annotation check (cosign: only the signature is checked).
    await verifyImageSignatures(s, target!, verifyOptions({ annotations: { a: '2' }, checkClaims: false }));
  });

  it('counts an unparsable referrer bundle as found but not matching (12, not a crash)', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const { s } = session('junk');
    const [target] = await imageTargets(s);
    await pushBundleReferrer(s.client, s.ref.repository, target!.descriptor, Buffer.from('{not json'), {});
    await assert.rejects(
      verifyImageSignatures(s, target!, verifyOptions()),
      (e: unknown) => e instanceof NoMatchingSignaturesError && e.found === 1,
    );
    const empty = session('empty');
    const [t2] = await imageTargets(empty.s);
    await assert.rejects(
      verifyImageSignatures(empty.s, t2!, verifyOptions()),
      (e: unknown) => e instanceof NoMatchingSignaturesError && e.found === 0 && /no signatures found/.test(e.message),
    );
  });

  it('replaces legacy attestations of one predicate type with --replace and keeps the others', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const { s, digest } = session('attest');
    const [target] = await imageTargets(s);
    const attest = (predicateType: string, n: number, replace = false) =>
      attestImage(s, target!, { signer, tlogUpload: false, predicateType, predicate: { n }, replace });
    await attest('https://example.com/a', 1);
    await attest('https://example.com/b', 2);
    await attest('https://example.com/a', 3, true);
    const layers = await readAttachments(s.client, s.ref.repository, digest, 'att');
    assert.deepEqual(
      layers.map((l) => l.annotations.predicateType),
      ['https://example.com/b', 'https://example.com/a'],
    );
    const verified = await verifyImageAttestations(s, target!, {
      ...verifyOptions(),
      predicateType: 'https://example.com/a',
    });
    assert.equal(verified.length, 1);
    assert.deepEqual((verified[0]!.payload as { predicate: unknown }).predicate, { n: 3 });
    // Signatures made by another key do not verify.
    await assert.rejects(
      verifyImageAttestations(s, target!, { ...verifyOptions(), key: newSigner().publicKey }),
      (e: unknown) => e instanceof NoMatchingSignaturesError && e.found === 2,
    );
  });

  it('attaches an SBOM (one at a time) and signs its manifest as a target', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const { s, digest } = session('sbom');
    const [target] = await imageTargets(s);
    await assert.rejects(sbomTarget(s, target!), /no SBOM attached/);
    await attachSbom(s, target!, Buffer.from('{"a":1}'), sbomMediaType('cyclonedx'));
    const sbom = await attachSbom(s, target!, Buffer.from('<bom/>'), sbomMediaType('cyclonedx', 'xml'));
    const layers = await readAttachments(s.client, s.ref.repository, digest, 'sbom');
    assert.deepEqual(
      layers.map((l) => [l.mediaType, l.payload.toString()]),
      [['application/vnd.cyclonedx+xml', '<bom/>']],
    );
    assert.equal(sbom.descriptor.digest, (await sbomTarget(s, target!)).descriptor.digest);
    await signImage(s, sbom, { signer, tlogUpload: false, newBundleFormat: false });
    await verifyImageSignatures(s, sbom, verifyOptions());
    assert.throws(() => sbomMediaType('spdx', 'xml'), /unsupported SBOM/);
    assert.equal(sbomMediaType('spdx'), 'text/spdx');
  });
});
