import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  COSIGN_SIMPLE_SIGNING,
  RegistryClient,
  SIGNATURE_ANNOTATION,
  appendAttachment,
  simpleSigningPayload,
} from '../../src/oci/index.js';
import { hasProgram, requireOrSkip } from '../helpers/env.js';
import { runSignetAsync, tempDir } from '../helpers/process.js';
import { pushTestImage, skopeoRaw, startRegistry, type RunningRegistry } from '../helpers/registry.js';

const tools = hasProgram('docker-registry', '--version') && hasProgram('skopeo') && hasProgram('htpasswd', '-h');
const creds = { username: 'bob', password: 'hunter22' };

describe('registry commands against docker-registry with Basic auth', () => {
  let registry: RunningRegistry | undefined;
  const dockerConfig = tempDir('signet-docker-');
  const env = { DOCKER_CONFIG: dockerConfig };
  before(async () => {
    if (tools) registry = await startRegistry(creds);
  });
  after(() => registry?.stop());

  it('logs in, then triangulates, uploads, copies, shows the tree, downloads and cleans', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry, skopeo and htpasswd')) return;
    const host = registry!.host;
    const digest = pushTestImage(`${host}/team/app:v1`, creds);

    const denied = await runSignetAsync(['triangulate', `${host}/team/app:v1`], { env });
    assert.equal(denied.status, 1);
    assert.match(denied.stderr, /^signet: error: registry .* refused access/m);

    const login = await runSignetAsync(['login', host, '-u', creds.username, '--password-stdin'], {
      env,
      input: creds.password + '\n',
    });
    assert.equal(login.status, 0, login.stderr);

    const tri = await runSignetAsync(['triangulate', `${host}/team/app:v1`], { env });
    assert.equal(tri.stdout.trim(), `${host}/team/app:${digest.replace(':', '-')}.sig`);
    const triDigest = await runSignetAsync(['triangulate', '--type', 'digest', `${host}/team/app:v1`], { env });
    assert.equal(triDigest.stdout.trim(), `${host}/team/app@${digest}`);

    const file = join(tempDir(), 'notes.txt');
    writeFileSync(file, 'release notes');
    const up = await runSignetAsync(['upload', 'blob', '-f', file, `${host}/team/notes:v1`], { env });
    assert.equal(up.status, 0, up.stderr);
    assert.match(up.stdout, new RegExp(`^${host}/team/notes@sha256:[0-9a-f]{64}$`, 'm'));

    const client = new RegistryClient(host, { credentials: creds });
    await appendAttachment(client, 'team/app', digest, 'sig', {
      mediaType: COSIGN_SIMPLE_SIGNING,
      payload: simpleSigningPayload(`${host}/team/app`, digest),
      annotations: { [SIGNATURE_ANNOTATION]: 'c2ln' },
    });
    const tree = await runSignetAsync(['tree', `${host}/team/app:v1`], { env });
    assert.match(tree.stdout, /Signatures for an image tag: .*\.sig/);

    const dl = await runSignetAsync(['download', 'signature', `${host}/team/app:v1`], { env });
    assert.equal(JSON.parse(dl.stdout.trim()).Base64Signature, 'c2ln');

    const copy = await runSignetAsync(['copy', `${host}/team/app:v1`, `${host}/other/app:v2`], { env });
    assert.equal(copy.status, 0, copy.stderr);
    assert.equal(JSON.parse(skopeoRaw(`${host}/other/app:v2`, creds)).layers.length, 1);
    const copiedSig = JSON.parse(skopeoRaw(`${host}/other/app:${digest.replace(':', '-')}.sig`, creds));
    assert.equal(copiedSig.layers[0].annotations[SIGNATURE_ANNOTATION], 'c2ln');
    // Again: the same manifests are there, nothing to overwrite.
    const again = await runSignetAsync(['copy', `${host}/team/app:v1`, `${host}/other/app:v2`], { env });
    assert.equal(again.status, 0, again.stderr);
    // Another image onto the same tag: refused without -f (cosign's message), done with -f.
    const otherDigest = pushTestImage(`${host}/team/app:v3`, creds);
    const clash = await runSignetAsync(['copy', `${host}/team/app:v3`, `${host}/other/app:v2`], { env });
    assert.equal(clash.status, 1);
    assert.match(clash.stderr, /^signet: error: image ".*\/other\/app:v2" already exists\. Use `-f` to overwrite$/m);
    const forced = await runSignetAsync(['copy', '-f', `${host}/team/app:v3`, `${host}/other/app:v2`], { env });
    assert.equal(forced.status, 0, forced.stderr);
    const now = createHash('sha256')
      .update(skopeoRaw(`${host}/other/app:v2`, creds))
      .digest('hex');
    assert.equal(`sha256:${now}`, otherDigest, 'the tag now names the other image');

    const clean = await runSignetAsync(['clean', '-f', `${host}/team/app:v1`], { env });
    assert.equal(clean.status, 0, clean.stderr);
    const after = await runSignetAsync(['tree', `${host}/team/app:v1`], { env });
    assert.match(after.stdout, /No Supply Chain Security Related Artifacts found/);
  });

  it('rejects bad references with a one-line error', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry')) return;
    const r = await runSignetAsync(['tree', 'UPPER/Case:??'], { env });
    assert.equal(r.status, 1);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /not a valid/);
  });
});
