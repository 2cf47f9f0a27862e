import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { RegistryClient, sha256Digest } from '../../src/oci/registry/client.js';
import { OCI_EMPTY, OCI_MANIFEST } from '../../src/oci/media-types.js';
import { hasProgram, requireOrSkip } from '../helpers/env.js';
import { pushTestImage, skopeoRaw, startRegistry, type RunningRegistry } from '../helpers/registry.js';

const tools = hasProgram('docker-registry', '--version') && hasProgram('skopeo') && hasProgram('htpasswd', '-h');
const creds = { username: 'alice', password: 's3cret-pass' };

function needTools(t: TestContext): boolean {
  return requireOrSkip(t, tools, 'docker-registry, skopeo and htpasswd');
}

for (const auth of [undefined, creds]) {
  describe(`registry client against docker-registry (${auth ? 'Basic auth' : 'anonymous'})`, () => {
    let registry: RunningRegistry | undefined;
    before(async () => {
      if (tools) registry = await startRegistry(auth);
    });
    after(() => registry?.stop());

    it('reads an image skopeo pushed, checking digests', async (t) => {
      if (!needTools(t)) return;
      const digest = pushTestImage(`${registry!.host}/app/one:v1`, auth);
      const client = new RegistryClient(registry!.host, { credentials: auth });
      const manifest = await client.getManifest('app/one', 'v1');
      assert.equal(manifest.digest, digest);
      assert.equal(manifest.mediaType, OCI_MANIFEST);
      const head = await client.headManifest('app/one', 'v1');
      assert.equal(head?.digest, digest);
      assert.equal(await client.headManifest('app/one', 'nope'), undefined);
      const config = JSON.parse(manifest.bytes.toString()).config;
      const blob = await client.getBlob('app/one', config.digest);
      assert.equal(sha256Digest(blob), config.digest);
      assert.deepEqual(await client.listTags('app/one'), ['v1']);
    });

    it('pushes blobs monolithic, chunked and by mount, and a manifest skopeo can read', async (t) => {
      if (!needTools(t)) return;
      const client = new RegistryClient(registry!.host, { credentials: auth, chunkSize: 1000 });
      const small = await client.pushBlob('app/two', Buffer.from('{}'), OCI_EMPTY);
      const big = await client.pushBlob('app/two', Buffer.alloc(4500, 7), 'application/octet-stream');
      assert.equal(await client.hasBlob('app/two', big.digest), true);
      const mounted = await client.pushBlob('app/three', Buffer.alloc(4500, 7), 'application/octet-stream', 'app/two');
      assert.equal(mounted.digest, big.digest);
      assert.equal(await client.hasBlob('app/three', big.digest), true);
      const manifest = Buffer.from(
        JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: small, layers: [big] }),
      );
      const pushed = await client.putManifest('app/two', 'v2', manifest, OCI_MANIFEST);
      assert.equal(pushed.digest, sha256Digest(manifest));
      assert.equal(skopeoRaw(`${registry!.host}/app/two:v2`, auth), manifest.toString());
      await client.deleteManifest('app/two', pushed.digest);
      assert.equal(await client.headManifest('app/two', pushed.digest), undefined);
    });

    it('falls back to the referrers tag schema', async (t) => {
      if (!needTools(t)) return;
      const client = new RegistryClient(registry!.host, { credentials: auth });
      const digest = pushTestImage(`${registry!.host}/app/four:v1`, auth);
      assert.deepEqual(await client.referrers('app/four', digest), []);
    });
  });
}

describe('registry client errors', () => {
  it('says when credentials are missing or wrong', async (t) => {
    if (!needTools(t)) return;
    const registry = await startRegistry(creds);
    try {
      const anonymous = new RegistryClient(registry.host);
      await assert.rejects(anonymous.listTags('x/y'), /refused access/);
      const wrong = new RegistryClient(registry.host, { credentials: { username: 'alice', password: 'nope' } });
      await assert.rejects(wrong.getManifest('x/y', 'latest'), /refused access/);
    } finally {
      await registry.stop();
    }
  });

  it('says when the registry cannot be reached', async () => {
    const client = new RegistryClient('127.0.0.1:1');
    await assert.rejects(client.listTags('x/y'), /cannot reach registry 127\.0\.0\.1:1/);
  });
});
