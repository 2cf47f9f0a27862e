import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hasProgram, requireOrSkip } from '../helpers/env.js';
import { runSignetAsync, tempDir } from '../helpers/process.js';
import { pushTestImage, skopeoRaw, startRegistry, type RunningRegistry } from '../helpers/registry.js';

const tools =
  hasProgram('docker-registry', '--version') &&
  hasProgram('skopeo') &&
  hasProgram('htpasswd', '-h') &&
  hasProgram('openssl', 'version');
const creds = { username: 'bob', password: 'hunter22' };
const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';

function openssl(args: string[], input?: Buffer): Buffer {
  const r = spawnSync('openssl', args, { input });
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/**
 * cosign's legacy `.sig` layout built by the test alone from the spec (cosign.md 2.2, 2.3): the simple-signing
 * payload bytes, an ECDSA P-256 signature by `openssl dgst -sha256 -sign`, a manifest + config + layer in an OCI
 * layout pushed by skopeo to a registry behind htpasswd Basic auth. signet must verify it, and refuse it tampered.
 */
describe('a cosign legacy signature built with openssl and skopeo', () => {
  let registry: RunningRegistry | undefined;
  let dir = '';
  const file = (name: string) => join(dir, name);
  const auth = ['--registry-username', creds.username, '--registry-password', creds.password];

  before(async () => {
    if (!tools) return;
    registry = await startRegistry(creds);
    dir = tempDir('signet-openssl-');
    openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', file('ec.key')]);
    openssl(['ec', '-in', file('ec.key'), '-pubout', '-out', file('pub.pem')]);
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file('other.key')]);
  });
  after(async () => {
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const payloadFor = (repo: string, digest: string, optional = 'null') =>
    Buffer.from(
      `{"critical":{"identity":{"docker-reference":"${repo}"},"image":{"docker-manifest-digest":"${digest}"},` +
        `"type":"cosign container image signature"},"optional":${optional}}`,
    );
  const sign = (payload: Buffer, key = file('ec.key')) =>
    openssl(['dgst', '-sha256', '-sign', key], payload).toString('base64');

  /** Writes the `.sig` manifest as an OCI layout and pushes it to the image's signature tag with skopeo. */
  function pushSignature(repo: string, imageDigest: string, payload: Buffer, annotations: Record<string, string>) {
    const layout = tempDir('signet-sig-layout-');
    const blobs = join(layout, 'blobs', 'sha256');
    mkdirSync(blobs, { recursive: true });
    const put = (data: Buffer) => {
      const hex = createHash('sha256').update(data).digest('hex');
      writeFileSync(join(blobs, hex), data);
      return { digest: `sha256:${hex}`, size: data.length };
    };
    const layer = put(payload);
    const epoch = '0001-01-01T00:00:00Z';
    const config = put(
      Buffer.from(
        JSON.stringify({
          architecture: '',
          created: epoch,
          history: [{ created: epoch }],
          os: '',
          rootfs: { type: 'layers', diff_ids: [layer.digest] },
          config: {},
        }),
      ),
    );
    const manifest = put(
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
          layers: [{ mediaType: SIMPLE_SIGNING, ...layer, annotations }],
        }),
      ),
    );
    const tag = `${imageDigest.replace(':', '-')}.sig`;
    writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    writeFileSync(
      join(layout, 'index.json'),
      JSON.stringify({
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'application/vnd.oci.image.manifest.v1+json',
            ...manifest,
            annotations: { 'org.opencontainers.image.ref.name': tag },
          },
        ],
      }),
    );
    const args = ['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false'];
    const dest = `docker://${repo}:${tag}`;
    const r = spawnSync(
      'skopeo',
      [...args, '--dest-creds', `${creds.username}:${creds.password}`, `oci:${layout}:${tag}`, dest],
      {
        encoding: 'utf8',
      },
    );
    if (r.status !== 0) throw new Error(`skopeo copy failed: ${r.stderr}`);
    rmSync(layout, { recursive: true, force: true });
  }

  const verify = (ref: string, extra: string[] = []) =>
    runSignetAsync(['verify', '--key', file('pub.pem'), '--insecure-ignore-tlog', ...auth, ...extra, ref]);

  it('verifies, and fails when the payload, the digest or an annotation is tampered with', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry, skopeo, htpasswd and openssl')) return;
    const repo = `${registry!.host}/team/app`;
    const digest = pushTestImage(`${repo}:v1`, creds);
    const ref = `${repo}@${digest}`;

    const payload = payloadFor(repo, digest);
    pushSignature(repo, digest, payload, { 'dev.cosignproject.cosign/signature': sign(payload) });
    const good = await verify(ref);
    assert.equal(good.status, 0, good.stderr);
    assert.match(good.stderr, /The signatures were verified against the specified public key/);
    assert.doesNotMatch(good.stderr, /transparency log/);
    const [printed] = JSON.parse(good.stdout);
    assert.deepEqual(printed, JSON.parse(payload.toString()));
    const anonymous = await runSignetAsync(['verify', '--key', file('pub.pem'), '--insecure-ignore-tlog', ref], {
      env: { DOCKER_CONFIG: dir },
    });
    assert.equal(anonymous.status, 1);
    assert.match(anonymous.stderr, /refused access/);

    // Payload changed after signing (an annotation slipped in): the signature no longer covers it.
    const changed = payloadFor(repo, digest, '{"env":"prod"}');
    pushSignature(repo, digest, changed, { 'dev.cosignproject.cosign/signature': sign(payload) });
    const r1 = await verify(ref, ['-a', 'env=prod']);
    assert.equal(r1.status, 12, r1.stderr);

    // A valid signature over a payload for another image digest: the claims check refuses it.
    const otherDigest = `sha256:${'ab'.repeat(32)}`;
    const elsewhere = payloadFor(repo, otherDigest);
    pushSignature(repo, digest, elsewhere, { 'dev.cosignproject.cosign/signature': sign(elsewhere) });
    const r2 = await verify(ref);
    assert.equal(r2.status, 12, r2.stderr);
    assert.match(r2.stderr, new RegExp(`for ${otherDigest}, not ${digest}`));
    assert.equal((await verify(ref, ['--check-claims=false'])).status, 0);

    // The signature annotation replaced by another key's signature, or by garbage.
    pushSignature(repo, digest, payload, { 'dev.cosignproject.cosign/signature': sign(payload, file('other.key')) });
    assert.equal((await verify(ref)).status, 12);
    pushSignature(repo, digest, payload, { 'dev.cosignproject.cosign/signature': 'bm90IGEgc2lnbmF0dXJl' });
    assert.equal((await verify(ref)).status, 12);

    // A signed annotation that is not asked for passes; one asked for with another value fails.
    const annotated = payloadFor(repo, digest, '{"env":"prod"}');
    pushSignature(repo, digest, annotated, { 'dev.cosignproject.cosign/signature': sign(annotated) });
    assert.equal((await verify(ref, ['-a', 'env=prod'])).status, 0);
    assert.equal((await verify(ref, ['-a', 'env=dev'])).status, 12);
  });

  it("signet's legacy signature verifies with openssl over the exact payload bytes", async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry, skopeo, htpasswd and openssl')) return;
    const repo = `${registry!.host}/team/signed`;
    const digest = pushTestImage(`${repo}:v1`, creds);
    writeFileSync(file('ec-pkcs8.key'), openssl(['pkcs8', '-topk8', '-nocrypt', '-in', file('ec.key')]));
    const signed = await runSignetAsync(
      [
        'sign',
        '--key',
        file('ec-pkcs8.key'),
        '--tlog-upload=false',
        '--new-bundle-format=false',
        ...auth,
        `${repo}@${digest}`,
      ],
      { env: { COSIGN_PASSWORD: '' } },
    );
    assert.equal(signed.status, 0, signed.stderr);
    const tag = `${digest.replace(':', '-')}.sig`;
    const manifest = JSON.parse(skopeoRaw(`${repo}:${tag}`, creds));
    const layer = manifest.layers[0];
    assert.equal(layer.mediaType, SIMPLE_SIGNING);
    const out = tempDir('signet-sig-pull-');
    const r = spawnSync(
      'skopeo',
      [
        'copy',
        '--quiet',
        '--src-tls-verify=false',
        '--src-creds',
        `${creds.username}:${creds.password}`,
        `docker://${repo}:${tag}`,
        `oci:${out}:sig`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    const payload = readFileSync(join(out, 'blobs', 'sha256', layer.digest.slice(7)));
    assert.deepEqual(payload, payloadFor(repo, digest));
    writeFileSync(file('payload'), payload);
    writeFileSync(file('sig.der'), Buffer.from(layer.annotations['dev.cosignproject.cosign/signature'], 'base64'));
    const ok = spawnSync(
      'openssl',
      ['dgst', '-sha256', '-verify', file('pub.pem'), '-signature', file('sig.der'), file('payload')],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(ok.stdout.trim(), 'Verified OK', ok.stderr);
    rmSync(out, { recursive: true, force: true });
  });
});
