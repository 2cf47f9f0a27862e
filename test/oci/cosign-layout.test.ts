import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  COSIGN_SIMPLE_SIGNING,
  RegistryClient,
  SIGNATURE_ANNOTATION,
  appendAttachment,
  pushBundleReferrer,
  readAttachments,
  readBundleReferrers,
  deleteReferrer,
  simpleSigningPayload,
  parseSimpleSigningPayload,
} from '../../src/oci/index.js';
import { hasProgram, requireOrSkip } from '../helpers/env.js';
import { pushTestImage, skopeoRaw, startRegistry, type RunningRegistry } from '../helpers/registry.js';

describe('simple-signing payload', () => {
  it('matches the bytes cosign writes', () => {
    const digest = 'sha256:' + 'ab'.repeat(32);
    assert.equal(
      simpleSigningPayload('ghcr.io/org/app', digest).toString(),
      `{"critical":{"identity":{"docker-reference":"ghcr.io/org/app"},"image":{"docker-manifest-digest":"${digest}"},"type":"cosign container image signature"},"optional":null}`,
    );
    const annotated = simpleSigningPayload('r/a', digest, { z: '1', a: '<&>' }).toString();
    assert.match(annotated, /"optional":\{"a":"\\u003c\\u0026\\u003e","z":"1"\}\}$/);
    assert.equal(parseSimpleSigningPayload(Buffer.from(annotated)).optional?.a, '<&>');
  });

  it('rejects payloads without a digest', () => {
    assert.throws(() => parseSimpleSigningPayload(Buffer.from('{}')), /docker-manifest-digest/);
    assert.throws(() => parseSimpleSigningPayload(Buffer.from('nope')), /not valid JSON/);
  });
});

describe('cosign layouts in a real registry', () => {
  const tools = hasProgram('docker-registry', '--version') && hasProgram('skopeo');
  let registry: RunningRegistry | undefined;
  before(async () => {
    if (tools) registry = await startRegistry();
  });
  after(() => registry?.stop());

  it('appends signature layers to the .sig tag, deduplicating identical ones', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const digest = pushTestImage(`${registry!.host}/demo/app:v1`);
    const client = new RegistryClient(registry!.host);
    const payload = simpleSigningPayload(`${registry!.host}/demo/app`, digest);
    for (const sig of ['c2lnMQ==', 'c2lnMg==', 'c2lnMg==']) {
      await appendAttachment(client, 'demo/app', digest, 'sig', {
        mediaType: COSIGN_SIMPLE_SIGNING,
        payload,
        annotations: { [SIGNATURE_ANNOTATION]: sig },
      });
    }
    const layers = await readAttachments(client, 'demo/app', digest, 'sig');
    assert.deepEqual(
      layers.map((l) => l.annotations[SIGNATURE_ANNOTATION]),
      ['c2lnMQ==', 'c2lnMg=='],
    );
    const raw = JSON.parse(skopeoRaw(`${registry!.host}/demo/app:${digest.replace(':', '-')}.sig`));
    assert.equal(raw.layers[0].mediaType, COSIGN_SIMPLE_SIGNING);
    assert.equal(raw.layers[1].annotations[SIGNATURE_ANNOTATION], 'c2lnMg==');
  });

  it('pushes bundle referrers readable through the tag-schema fallback, and deletes them', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const digest = pushTestImage(`${registry!.host}/demo/ref:v1`);
    const client = new RegistryClient(registry!.host);
    const subject = (await client.headManifest('demo/ref', digest))!;
    const bundle = Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}');
    const pushed = await pushBundleReferrer(client, 'demo/ref', subject, bundle, {
      'dev.sigstore.bundle.content': 'x',
    });
    const found = await readBundleReferrers(client, 'demo/ref', digest);
    assert.equal(found.length, 1);
    assert.equal(found[0]!.bundle.toString(), bundle.toString());
    await deleteReferrer(client, 'demo/ref', digest, pushed.digest);
    assert.equal((await readBundleReferrers(client, 'demo/ref', digest)).length, 0);
  });
});
