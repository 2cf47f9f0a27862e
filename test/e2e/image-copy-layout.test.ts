import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hasProgram, requireOrSkip } from '../helpers/env.js';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';
import { pushTestImage, pushTestIndex, startRegistry, type RunningRegistry } from '../helpers/registry.js';

const tools = hasProgram('docker-registry', '--version') && hasProgram('skopeo');
const env = { SIGNET_LOG_LEVEL: 'warn', COSIGN_PASSWORD: 'pw' };
const LEGACY = 'cosign container image signature';
const BUNDLE = 'https://sigstore.dev/cosign/sign/v1';

/**
 * What travels with an image between two registries and through an OCI layout on disk: `copy` (with `--platform`),
 * `save`, `load`, `verify --local-image`; signatures made elsewhere (`generate`, `attach signature|attestation`);
 * `download` filters; `--new-bundle-format` on the verify commands. All as subprocesses against two docker-registry
 * instances and `signet up`.
 */
describe('cosign parity: copy across registries, save/load, generate, attach, --new-bundle-format', () => {
  let a: RunningRegistry | undefined;
  let b: RunningRegistry | undefined;
  let stack: RunningStack | undefined;
  let dir = '';
  let keyless: string[] = [];
  const file = (name: string) => join(dir, name);
  const signet = (args: string[]) => runSignetAsync(args, { env, cwd: dir });
  const ok = (r: { status: number | null; stderr: string }, what?: string) =>
    assert.equal(r.status, 0, what ? `${what}: ${r.stderr}` : r.stderr);
  const trust = () => ['--trusted-root', `${stack!.url}/trusted_root.json`];
  const withKey = () => ['--key', file('k.pub'), ...trust()];
  const policy = () => [
    '--certificate-identity',
    'alice@example.com',
    '--certificate-oidc-issuer',
    `${stack!.url}/oidc`,
  ];
  const types = (stdout: string) =>
    (JSON.parse(stdout) as { critical: { type: string } }[]).map((p) => p.critical.type).sort();

  /** An image in registry A signed and attested in both layouts, key-based and keyless. */
  async function signedImage(name: string) {
    const digest = pushTestImage(`${a!.host}/team/${name}:v1`);
    const ref = `${a!.host}/team/${name}@${digest}`;
    const key = ['--key', file('k.key'), '--rekor-url', stack!.url];
    const attest = ['attest', '--type', 'slsaprovenance1', '--predicate', file('prov.json')];
    for (const layout of [[], ['--new-bundle-format=false']]) {
      ok(await signet(['sign', ...key, ...layout, ref]));
      ok(await signet(['sign', ...keyless, '-y', ...layout, ref]));
      ok(await signet([...attest, ...key, ...layout, ref]));
    }
    return { digest, ref, tag: `${a!.host}/team/${name}:v1` };
  }

  before(async () => {
    if (!tools) return;
    delete process.env.SIGSTORE_ID_TOKEN;
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
    stack = await startSignet(['up'], { env, readyPath: '/signing_config.json' });
    dir = tempDir('signet-copy-');
    ok(await signet(['generate-key-pair', '--output-key-prefix', file('k')]));
    writeFileSync(file('prov.json'), JSON.stringify({ buildDefinition: { buildType: 'https://example.com/b' } }));
    const token = await signet(['oidc', 'token', '--email', 'alice@example.com', '--issuer', `${stack.url}/oidc`]);
    ok(token);
    keyless = ['--signing-config', `${stack.url}/signing_config.json`, '--identity-token', token.stdout.trim()];
  });
  after(async () => {
    await stack?.stop();
    await a?.stop();
    await b?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('copy A -> B carries referrer bundles and .sig/.att tags; verify and verify-attestation pass on B', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const img = await signedImage('app');
    const dst = `${b!.host}/mirror/app:v1`;
    const copy = await signet(['copy', img.tag, dst]);
    ok(copy);
    assert.match(copy.stderr, new RegExp(`^copied ${img.digest.replace(':', '-')}\\.sig$`, 'm'));
    assert.match(copy.stderr, new RegExp(`^copied ${img.digest.replace(':', '-')}\\.att$`, 'm'));

    const byKey = await signet(['verify', ...withKey(), dst]);
    ok(byKey);
    assert.deepEqual(types(byKey.stdout), [LEGACY, BUNDLE], 'the key signed once in each layout');
    const keylessOnB = await signet(['verify', ...trust(), ...policy(), dst]);
    ok(keylessOnB);
    assert.deepEqual(types(keylessOnB.stdout), [LEGACY, BUNDLE]);
    const att = await signet(['verify-attestation', ...withKey(), '--type', 'slsaprovenance1', dst]);
    ok(att);
    assert.equal(att.stdout.trim().split('\n').length, 2, 'the bundle referrer and the .att layer');
    for (const line of att.stdout.trim().split('\n')) {
      const statement = JSON.parse(Buffer.from(JSON.parse(line).payload, 'base64').toString());
      assert.equal(statement.subject[0].digest.sha256, img.digest.slice(7));
    }

    // --new-bundle-format, as cosign v3: bundles when the image has any; =false, the legacy tags only.
    const bundles = await signet(['verify', ...withKey(), '--new-bundle-format', dst]);
    ok(bundles);
    assert.deepEqual(types(bundles.stdout), [BUNDLE]);
    const legacy = await signet(['verify', ...withKey(), '--new-bundle-format=false', dst]);
    ok(legacy);
    assert.deepEqual(types(legacy.stdout), [LEGACY]);
    for (const [flag, n] of [
      ['--new-bundle-format=true', 1],
      ['--new-bundle-format=0', 1],
    ] as const) {
      const va = await signet(['verify-attestation', ...withKey(), flag, '--type', 'slsaprovenance1', dst]);
      ok(va);
      assert.equal(va.stdout.trim().split('\n').length, n, flag);
    }
    const bad = await signet(['verify', ...withKey(), '--new-bundle-format=maybe', dst]);
    assert.equal(bad.status, 1);
    assert.equal(bad.stderr.trim(), 'signet: error: --new-bundle-format takes true or false, got "maybe"');
  });

  it('copy --platform copies one platform of an index with what is attached to it; copy of the index carries its children', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const idx = pushTestIndex(`${a!.host}/team/multi:v1`);
    const src = `${a!.host}/team/multi@${idx.digest}`;
    ok(await signet(['sign', '--key', file('k.key'), '--rekor-url', stack!.url, '-r', src]));
    ok(
      await signet(['sign', '--key', file('k.key'), '--rekor-url', stack!.url, '--new-bundle-format=false', '-r', src]),
    );

    const one = await signet([
      'copy',
      '--platform',
      'linux/amd64',
      `${a!.host}/team/multi:v1`,
      `${b!.host}/plat/app:v1`,
    ]);
    ok(one);
    const head = (ref: string) =>
      fetch(`http://${b!.host}/v2/plat/app/manifests/${ref}`, {
        method: 'HEAD',
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json,application/vnd.oci.image.index.v1+json' },
      });
    assert.equal((await head('v1')).headers.get('docker-content-digest'), idx.amd64, 'the tag names the amd64 image');
    assert.equal((await head(idx.arm64)).status, 404, 'the other platform stays behind');
    assert.equal((await head(idx.digest)).status, 404, 'and so does the index');
    const v = await signet(['verify', ...withKey(), `${b!.host}/plat/app:v1`]);
    ok(v);
    assert.deepEqual(types(v.stdout), [LEGACY, BUNDLE]);

    // The whole index: the signatures `sign -r` put on each child come along.
    ok(await signet(['copy', `${a!.host}/team/multi:v1`, `${b!.host}/plat/all:v1`]));
    ok(await signet(['verify', ...withKey(), `${b!.host}/plat/all@${idx.arm64}`]));

    const none = await signet(['copy', '--platform', 'linux/s390x', src, `${b!.host}/plat/none:v1`]);
    assert.equal(none.status, 1);
    assert.equal(
      none.stderr.trim(),
      'signet: error: no image for platform linux/s390x in the index (it has: linux/amd64, linux/arm64)',
    );
    const notIndex = await signet([
      'copy',
      '--platform',
      'linux/amd64',
      `${a!.host}/team/multi@${idx.amd64}`,
      `${b!.host}/x/y:v1`,
    ]);
    assert.equal(notIndex.status, 1);
    assert.match(notIndex.stderr, /^signet: error: --platform linux\/amd64: the image is not a multi-platform index$/m);
    const badSpec = await signet(['copy', '--platform', 'linux//', src, `${b!.host}/x/y:v1`]);
    assert.equal(badSpec.status, 1);
    assert.match(badSpec.stderr, /is not os\/arch\[\/variant\]/);
  });

  it("save writes cosign's layout; verify --local-image reads it offline; load pushes it to B, where verify passes", async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const img = await signedImage('saved');
    writeFileSync(file('sbom.json'), JSON.stringify({ spdxVersion: 'SPDX-2.3' }));
    ok(await signet(['attach', 'sbom', '--sbom', file('sbom.json'), '--type', 'spdx', img.ref]));
    const out = file('layout');
    const save = await signet(['save', '--dir', out, img.tag]);
    ok(save);
    assert.match(save.stderr, new RegExp(`^saved ${img.digest}$`, 'm'));

    assert.deepEqual(JSON.parse(readFileSync(join(out, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8'));
    const kinds = index.manifests.map((m: { annotations: { kind: string } }) => m.annotations.kind);
    assert.deepEqual(kinds, [
      'dev.cosignproject.cosign/image',
      'dev.cosignproject.cosign/sigs',
      'dev.cosignproject.cosign/atts',
      'dev.cosignproject.cosign/sboms',
    ]);
    assert.equal(index.manifests[0].digest, img.digest);
    for (const m of index.manifests) readFileSync(join(out, 'blobs', 'sha256', m.digest.slice(7)));

    // Offline: a trusted root from a file, and no registry named anywhere.
    const root = await (await fetch(`${stack!.url}/trusted_root.json`)).text();
    writeFileSync(file('root.json'), root);
    const offline = ['--key', file('k.pub'), '--trusted-root', file('root.json'), '--offline'];
    const local = await signet(['verify', ...offline, '--local-image', out]);
    ok(local);
    assert.match(local.stderr, new RegExp(`^Verification for ${out} --$`, 'm'));
    assert.deepEqual(types(local.stdout), [LEGACY, BUNDLE]);
    const localKeyless = await signet([
      'verify',
      '--trusted-root',
      file('root.json'),
      ...policy(),
      '--local-image',
      out,
    ]);
    ok(localKeyless);
    assert.deepEqual(types(localKeyless.stdout), [LEGACY, BUNDLE]);
    const localAtt = await signet([
      'verify-attestation',
      ...offline,
      '--type',
      'slsaprovenance1',
      '--local-image',
      out,
    ]);
    ok(localAtt);
    assert.equal(localAtt.stdout.trim().split('\n').length, 2);

    const loaded = `${b!.host}/loaded/app:v2`;
    const load = await signet(['load', '--dir', out, loaded]);
    ok(load);
    assert.match(load.stderr, new RegExp(`^loaded ${img.digest.replace(':', '-')}\\.sbom$`, 'm'));
    const onB = await signet(['verify', ...withKey(), loaded]);
    ok(onB);
    assert.deepEqual(types(onB.stdout), [LEGACY, BUNDLE]);
    ok(await signet(['verify-attestation', ...withKey(), '--type', 'slsaprovenance1', loaded]));
    ok(await signet(['load', '--dir', out, loaded]), 'loading again is harmless');

    const missing = await signet(['verify', ...offline, '--local-image', file('nope')]);
    assert.equal(missing.status, 1);
    assert.deepEqual(missing.stderr.trim().split('\n'), [
      `signet: error: ${file('nope')} is not an OCI image layout (no oci-layout or index.json)`,
      `signet: hint: save an image there with \`signet save --dir ${file('nope')} IMAGE\``,
    ]);
    const noDir = await signet(['load', loaded]);
    assert.equal(noDir.status, 1);
    assert.match(noDir.stderr, /^signet: error: required option '--dir <path>' not specified$/m);
  });

  it('generate prints the payload cosign signs; download takes --predicate-type and --platform; upload blob makes an index', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const digest = pushTestImage(`${a!.host}/team/gen:v1`);
    const gen = await signet(['generate', '-a', 'env=prod', `${a!.host}/team/gen:v1`]);
    ok(gen);
    assert.equal(
      gen.stdout,
      `{"critical":{"identity":{"docker-reference":"${a!.host}/team/gen"},"image":{"docker-manifest-digest":"${digest}"},"type":"${LEGACY}"},"optional":{"env":"prod"}}`,
      'the exact bytes, no newline',
    );

    const ref = `${a!.host}/team/gen@${digest}`;
    const key = ['--key', file('k.key'), '--rekor-url', stack!.url];
    const attest = ['attest', ...key, '--type', 'slsaprovenance1', '--predicate', file('prov.json'), ref];
    ok(await signet(attest));
    ok(await signet([...attest, '--new-bundle-format=false']));
    const slsa = await signet(['download', 'attestation', '--predicate-type', 'slsaprovenance1', ref]);
    ok(slsa);
    assert.equal(slsa.stdout.trim().split('\n').length, 2, 'the bundle referrer and the .att layer');
    const spdx = await signet(['download', 'attestation', '--predicate-type', 'spdx', ref]);
    assert.equal(spdx.status, 1);
    assert.equal(
      spdx.stderr.trim(),
      "signet: error: no attestations with predicate type 'https://spdx.dev/Document' found",
    );

    const idx = pushTestIndex(`${a!.host}/team/genmulti:v1`);
    const src = `${a!.host}/team/genmulti@${idx.digest}`;
    ok(await signet(['sign', ...key, '--new-bundle-format=false', '-r', src]));
    const arm = await signet(['download', 'signature', '--platform', 'linux/arm64', src]);
    ok(arm);
    const [line] = arm.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const payload = JSON.parse(Buffer.from(line.Payload, 'base64').toString());
    assert.equal(payload.critical.image['docker-manifest-digest'], idx.arm64);

    // upload blob: several files, one per platform, make an index (cosign's FILE:os/arch), with -a annotations.
    writeFileSync(file('amd.txt'), 'for amd64\n');
    writeFileSync(file('arm.txt'), 'for arm64\n');
    const files = ['-f', `${file('amd.txt')}:linux/amd64`, '-f', `${file('arm.txt')}:linux/arm64`];
    const up = await signet(['upload', 'blob', ...files, '-a', 'team=files', `${a!.host}/files/multi:v1`]);
    ok(up);
    assert.match(up.stdout, new RegExp(`^${a!.host}/files/multi@sha256:[0-9a-f]{64}\n$`));
    assert.match(up.stderr, /^Uploading multi-platform index to /m);
    const index = (await (
      await fetch(`http://${a!.host}/v2/files/multi/manifests/v1`, {
        headers: { accept: 'application/vnd.oci.image.index.v1+json' },
      })
    ).json()) as {
      manifests: { platform: { architecture: string } }[];
      annotations: Record<string, string>;
    };
    assert.deepEqual(
      index.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture),
      ['amd64', 'arm64'],
    );
    assert.deepEqual(index.annotations, { team: 'files' });
    ok(await signet(['copy', '--platform', 'linux/arm64', `${a!.host}/files/multi:v1`, `${b!.host}/files/arm:v1`]));
    const noPlatform = await signet([
      'upload',
      'blob',
      '-f',
      `${file('amd.txt')},${file('arm.txt')}`,
      `${a!.host}/f/x:v1`,
    ]);
    assert.equal(noPlatform.status, 1);
    assert.equal(
      noPlatform.stderr.trim().split('\n')[0],
      `signet: error: each file must include a unique platform, ${file('amd.txt')} had no platform`,
    );
  });

  it('attach signature and attestation: made elsewhere over what generate prints, then verified', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const digest = pushTestImage(`${a!.host}/team/attached:v1`);
    const ref = `${a!.host}/team/attached@${digest}`;
    const gen = await signet(['generate', ref]);
    ok(gen);
    writeFileSync(file('payload.json'), gen.stdout);
    const key = ['--key', file('k.key'), '--rekor-url', stack!.url];
    const signBlob = ['sign-blob', ...key, '--new-bundle-format=false', '--bundle', file('payload.bundle')];
    ok(await signet([...signBlob, '--output-signature', file('payload.sig'), file('payload.json')]));
    const attachSig = ['attach', 'signature', '--payload', file('payload.json'), '--signature', file('payload.sig')];
    ok(await signet([...attachSig, '--rekor-response', file('payload.bundle'), ref]));
    const v = await signet(['verify', ...withKey(), ref]);
    ok(v);
    assert.match(v.stderr, /^ {2}- Existence of the claims in the transparency log was verified offline$/m);
    assert.deepEqual(types(v.stdout), [LEGACY]);

    const hex = digest.slice(7);
    writeFileSync(
      file('stmt.json'),
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: `${a!.host}/team/attached`, digest: { sha256: hex } }],
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: { buildDefinition: { buildType: 'https://example.com/attached' } },
      }),
    );
    const attestBlob = ['attest-blob', ...key, '--statement', file('stmt.json'), '-y'];
    ok(await signet([...attestBlob, '--bundle', file('att.sigstore.json'), '--output-signature', file('env.json')]));
    ok(await signet(['attach', 'attestation', '--attestation', file('att.sigstore.json'), ref]));
    ok(await signet(['attach', 'attestation', '--attestation', file('env.json'), ref]));
    const vaArgs = ['verify-attestation', ...withKey(), '--type', 'slsaprovenance1'];
    const bundled = await signet([...vaArgs, '--new-bundle-format', ref]);
    ok(bundled);
    assert.equal(bundled.stdout.trim().split('\n').length, 1, 'the bundle referrer');
    const legacy = await signet([...vaArgs, '--new-bundle-format=false', '--insecure-ignore-tlog', ref]);
    ok(legacy);
    assert.equal(legacy.stdout.trim().split('\n').length, 1, 'the .att layer (no log entry stapled to it)');

    const tsr = await signet([...attachSig, '--tsr', file('payload.sig'), ref]);
    assert.equal(tsr.status, 1);
    assert.match(
      tsr.stderr,
      /^signet: error: RFC 3161 timestamps on image signatures are not supported yet \(--tsr\)$/m,
    );
    const notEnvelope = await signet(['attach', 'attestation', '--attestation', file('payload.sig'), ref]);
    assert.equal(notEnvelope.status, 1);
    assert.match(notEnvelope.stderr, /is not a DSSE envelope nor a Sigstore bundle$/m);
  });

  it("verify-blob and verify-blob-attestation: --new-bundle-format=false reads only cosign's old bundle", async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    writeFileSync(file('blob.txt'), 'a blob\n');
    const sign = ['sign-blob', '--key', file('k.key'), '--rekor-url', stack!.url, file('blob.txt')];
    ok(await signet([...sign, '--bundle', file('new.json')]));
    ok(await signet([...sign, '--new-bundle-format=false', '--bundle', file('old.json')]));
    const verify = (bundle: string, ...flags: string[]) =>
      signet(['verify-blob', ...withKey(), '--bundle', file(bundle), ...flags, file('blob.txt')]);
    ok(await verify('new.json', '--new-bundle-format'));
    ok(await verify('old.json', '--new-bundle-format=false'));
    ok(await verify('old.json', '--new-bundle-format=true'), 'not a Sigstore bundle: read as the old format');
    // cosign's deprecated verify flags still work: --private-infrastructure skips the log as --insecure-ignore-tlog.
    ok(
      await signet([
        'sign-blob',
        '--key',
        file('k.key'),
        '--tlog-upload=false',
        '--bundle',
        file('nolog.json'),
        file('blob.txt'),
      ]),
    );
    const privateInfra = await verify(
      'nolog.json',
      '--private-infrastructure',
      '--experimental-oci11',
      '--max-workers',
      '4',
    );
    ok(privateInfra);
    assert.match(
      privateInfra.stderr,
      /^Flag --private-infrastructure has been deprecated, please use --insecure-ignore-tlog instead$/m,
    );
    assert.notEqual((await verify('nolog.json')).status, 0, 'without it the missing log entry fails');
    const workers = await verify('new.json', '--max-workers', 'many');
    assert.equal(workers.stderr.trim(), 'signet: error: --max-workers takes a number, got "many"');
    const refused = await verify('new.json', '--new-bundle-format=false');
    assert.equal(refused.status, 1);
    assert.deepEqual(refused.stderr.trim().split('\n'), [
      `signet: error: the bundle ${file('new.json')} is a Sigstore bundle, not cosign's old bundle format (--new-bundle-format=false)`,
      'signet: hint: drop --new-bundle-format=false',
    ]);

    const attest = ['attest-blob', '--key', file('k.key'), '--rekor-url', stack!.url, '--type', 'slsaprovenance1'];
    ok(
      await signet([...attest, '--predicate', file('prov.json'), '--bundle', file('att.json'), '-y', file('blob.txt')]),
    );
    const va = (...flags: string[]) =>
      signet([
        'verify-blob-attestation',
        ...withKey(),
        '--type',
        'slsaprovenance1',
        '--bundle',
        file('att.json'),
        ...flags,
        file('blob.txt'),
      ]);
    ok(await va('--new-bundle-format'));
    const refusedAtt = await va('--new-bundle-format=false');
    assert.equal(refusedAtt.status, 1);
    assert.match(refusedAtt.stderr, /is a Sigstore bundle, not cosign's old bundle format/);
  });
});
