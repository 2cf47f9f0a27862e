import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { RegistryClient, readBundleReferrers } from '../../src/oci/index.js';
import { hasProgram, requireOrSkip } from '../helpers/env.js';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';
import { pushTestImage, skopeoRaw, startRegistry, type RunningRegistry } from '../helpers/registry.js';

const tools = hasProgram('docker-registry', '--version') && hasProgram('skopeo');
const env = { SIGNET_LOG_LEVEL: 'warn', COSIGN_PASSWORD: 'pw' };

/** signet sign / verify / attest / attach against a real registry and `signet up` (Rekor, Fulcio, dev OIDC). */
describe('image signing against docker-registry and signet up', () => {
  let registry: RunningRegistry | undefined;
  let stack: RunningStack | undefined;
  let dir = '';
  const file = (name: string) => join(dir, name);
  const signet = (args: string[]) => runSignetAsync(args, { env, cwd: dir });
  const ok = (r: { status: number | null; stderr: string }) => assert.equal(r.status, 0, r.stderr);
  const image = (name: string) => {
    const digest = pushTestImage(`${registry!.host}/team/${name}:v1`);
    return { tag: `${registry!.host}/team/${name}:v1`, ref: `${registry!.host}/team/${name}@${digest}`, digest };
  };
  const trust = () => ['--trusted-root', `${stack!.url}/trusted_root.json`];

  /** The referrer bundle verifies with @sigstore/verify (an independent verifier) against the stack's root. */
  async function sigstoreJsVerifies(host: string, repo: string, digest: string) {
    const [found] = await readBundleReferrers(new RegistryClient(host), repo, digest);
    const bundle = JSON.parse(found!.bundle.toString());
    assert.equal(bundle.verificationMaterial.tlogEntries[0].kindVersion.kind, 'dsse');
    const root = await (await fetch(`${stack!.url}/trusted_root.json`)).json();
    const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(root)), { tlogThreshold: 1, ctlogThreshold: 1 });
    const signer = verifier.verify(toSignedEntity(bundleFromJSON(bundle)), {
      subjectAlternativeName: 'alice@example.com',
      extensions: { issuer: `${stack!.url}/oidc` },
    });
    assert.ok(signer.identity);
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString());
    assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
    assert.equal(statement.predicateType, 'https://sigstore.dev/cosign/sign/v1');
    assert.deepEqual(statement.subject, [{ digest: { sha256: digest.slice(7) } }]);
  }

  before(async () => {
    if (!tools) return;
    delete process.env.SIGSTORE_ID_TOKEN;
    registry = await startRegistry();
    stack = await startSignet(['up'], { env, readyPath: '/signing_config.json' });
    dir = tempDir('signet-image-');
    ok(await signet(['generate-key-pair', '--output-key-prefix', file('release')]));
    ok(await signet(['generate-key-pair', '--output-key-prefix', file('other')]));
  });
  after(async () => {
    await stack?.stop();
    await registry?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('key-based, legacy layout: a .sig layer skopeo sees, with the SET; verify prints the payload', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const img = image('legacy');
    const r = await signet([
      'sign',
      '--key',
      file('release.key'),
      '--rekor-url',
      stack!.url,
      '--new-bundle-format=false',
      '-a',
      'env=prod',
      img.tag,
    ]);
    ok(r);
    assert.match(r.stderr, /Image reference .* uses a tag, not a digest/);
    assert.match(r.stderr, new RegExp(`Pushing signature to: ${registry!.host}/team/legacy`));
    const sig = JSON.parse(skopeoRaw(`${registry!.host}/team/legacy:${img.digest.replace(':', '-')}.sig`));
    assert.equal(sig.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(sig.config.mediaType, 'application/vnd.oci.image.config.v1+json');
    assert.equal(sig.layers.length, 1);
    const layer = sig.layers[0];
    assert.equal(layer.mediaType, 'application/vnd.dev.cosign.simplesigning.v1+json');
    assert.match(layer.annotations['dev.cosignproject.cosign/signature'], /^[A-Za-z0-9+/]+=*$/);
    const rekor = JSON.parse(layer.annotations['dev.sigstore.cosign/bundle']);
    assert.ok(rekor.SignedEntryTimestamp && rekor.Payload.body && rekor.Payload.logID.length === 64);

    const v = await signet(['verify', '--key', file('release.pub'), ...trust(), '-a', 'env=prod', img.ref]);
    ok(v);
    assert.match(v.stderr, /Verification for .*legacy@sha256:/);
    assert.match(v.stderr, /The following checks were performed on each of these signatures:/);
    assert.match(v.stderr, /The specified annotations were verified/);
    assert.match(v.stderr, /transparency log was verified offline/);
    const [payload] = JSON.parse(v.stdout);
    assert.equal(payload.critical.image['docker-manifest-digest'], img.digest);
    assert.equal(payload.critical.type, 'cosign container image signature');
    assert.equal(payload.optional.env, 'prod');
    assert.equal(payload.optional.Bundle.Payload.logID, rekor.Payload.logID);

    // A second signature appends a layer; the wrong key, or an annotation not signed, matches none (exit 12).
    ok(
      await signet([
        'sign',
        '--key',
        file('other.key'),
        '--rekor-url',
        stack!.url,
        '--new-bundle-format=false',
        img.ref,
      ]),
    );
    assert.equal(
      JSON.parse(skopeoRaw(`${registry!.host}/team/legacy:${img.digest.replace(':', '-')}.sig`)).layers.length,
      2,
    );
    const wrong = await signet(['verify', '--key', file('release.pub'), ...trust(), '-a', 'env=dev', img.ref]);
    assert.equal(wrong.status, 12, wrong.stderr);
    assert.match(wrong.stderr, /no matching signatures/);
  });

  it('key-based, new bundle format: a referrer holding a bundle, found through the tag schema', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const img = image('bundle');
    ok(await signet(['sign', '--key', file('release.key'), '--rekor-url', stack!.url, '-a', 'team=blue', img.ref]));
    const index = JSON.parse(skopeoRaw(`${registry!.host}/team/bundle:${img.digest.replace(':', '-')}`));
    assert.equal(index.mediaType, 'application/vnd.oci.image.index.v1+json');
    const [entry] = index.manifests;
    assert.equal(entry.artifactType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.equal(entry.annotations['dev.sigstore.bundle.predicateType'], 'https://sigstore.dev/cosign/sign/v1');
    const manifest = JSON.parse(skopeoRaw(`${registry!.host}/team/bundle@${entry.digest}`));
    assert.equal(manifest.subject.digest, img.digest);
    assert.equal(manifest.config.mediaType, 'application/vnd.oci.empty.v1+json');
    assert.equal(manifest.layers[0].mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.equal(manifest.annotations['dev.sigstore.bundle.content'], 'dsse-envelope');

    const v = await signet(['verify', '--key', file('release.pub'), ...trust(), '-a', 'team=blue', img.ref]);
    ok(v);
    const [payload] = JSON.parse(v.stdout);
    assert.equal(payload.critical.type, 'https://sigstore.dev/cosign/sign/v1');
    assert.equal(payload.critical.image['docker-manifest-digest'], img.digest);
    assert.deepEqual(payload.optional, { team: 'blue' });
    const wrongKey = await signet(['verify', '--key', file('other.pub'), ...trust(), img.ref]);
    assert.equal(wrongKey.status, 12);
  });

  it('keyless: certificate identity policy passes for the signer, exit 12 for another identity', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const token = await signet(['oidc', 'token', '--email', 'alice@example.com', '--issuer', `${stack!.url}/oidc`]);
    ok(token);
    for (const [name, format] of [
      ['keyless-legacy', 'false'],
      ['keyless-bundle', 'true'],
    ] as const) {
      const img = image(name);
      ok(
        await signet([
          'sign',
          '--signing-config',
          `${stack!.url}/signing_config.json`,
          '--identity-token',
          token.stdout.trim(),
          `--new-bundle-format=${format}`,
          '-y',
          img.ref,
        ]),
      );
      const policy = ['--certificate-oidc-issuer', `${stack!.url}/oidc`];
      const v = await signet(['verify', ...trust(), '--certificate-identity', 'alice@example.com', ...policy, img.ref]);
      ok(v);
      assert.match(v.stderr, /code-signing certificate was verified using trusted certificate authority/);
      const [payload] = JSON.parse(v.stdout);
      if (format === 'true') await sigstoreJsVerifies(registry!.host, `team/${name}`, img.digest);
      if (format === 'false') {
        assert.equal(payload.optional.Subject, 'alice@example.com');
        assert.equal(payload.optional.Issuer, `${stack!.url}/oidc`);
        const layer = JSON.parse(skopeoRaw(`${registry!.host}/team/${name}:${img.digest.replace(':', '-')}.sig`))
          .layers[0];
        assert.match(layer.annotations['dev.sigstore.cosign/certificate'], /^-----BEGIN CERTIFICATE-----/);
        assert.match(layer.annotations['dev.sigstore.cosign/chain'], /^-----BEGIN CERTIFICATE-----/);
      }
      const bad = await signet([
        'verify',
        ...trust(),
        '--certificate-identity',
        'mallory@example.com',
        ...policy,
        img.ref,
      ]);
      assert.equal(bad.status, 12, bad.stderr);
      const noPolicy = await signet(['verify', ...trust(), img.ref]);
      assert.equal(noPolicy.status, 1);
      assert.match(noPolicy.stderr, /--certificate-identity or --certificate-identity-regexp is required/);
    }
  });

  it('attestations: a predicate type policy passes for its type and fails for another, in both layouts', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const img = image('attested');
    writeFileSync(file('prov.json'), JSON.stringify({ buildDefinition: { buildType: 'https://example.com/b' } }));
    for (const format of ['false', 'true']) {
      const args = ['attest', '--key', file('release.key'), '--rekor-url', stack!.url, '--type', 'slsaprovenance1'];
      ok(await signet([...args, '--predicate', file('prov.json'), `--new-bundle-format=${format}`, img.ref]));
    }
    const att = JSON.parse(skopeoRaw(`${registry!.host}/team/attested:${img.digest.replace(':', '-')}.att`));
    assert.equal(att.layers[0].mediaType, 'application/vnd.dsse.envelope.v1+json');
    assert.equal(att.layers[0].annotations.predicateType, 'https://slsa.dev/provenance/v1');

    const v = await signet([
      'verify-attestation',
      '--key',
      file('release.pub'),
      ...trust(),
      '--type',
      'slsaprovenance1',
      img.ref,
    ]);
    ok(v);
    const envelopes = v.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(envelopes.length, 2);
    for (const e of envelopes) {
      assert.equal(e.payloadType, 'application/vnd.in-toto+json');
      const statement = JSON.parse(Buffer.from(e.payload, 'base64').toString());
      assert.equal(statement.predicateType, 'https://slsa.dev/provenance/v1');
      assert.equal(statement.subject[0].digest.sha256, img.digest.slice(7));
    }
    const spdx = await signet([
      'verify-attestation',
      '--key',
      file('release.pub'),
      ...trust(),
      '--type',
      'spdx',
      img.ref,
    ]);
    assert.equal(spdx.status, 1);
    assert.match(spdx.stderr, /none of the attestations matched the predicate type: https:\/\/spdx.dev\/Document/);
    // verify (signatures) ignores attestations: none found.
    const sigs = await signet(['verify', '--key', file('release.pub'), ...trust(), img.ref]);
    assert.equal(sigs.status, 10, sigs.stderr);
  });

  it('an SBOM attached, then signed with --attachment sbom, then verified', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const img = image('sbom');
    writeFileSync(file('sbom.spdx.json'), JSON.stringify({ spdxVersion: 'SPDX-2.3', name: 'app' }));
    const a = await signet([
      'attach',
      'sbom',
      '--sbom',
      file('sbom.spdx.json'),
      '--type',
      'spdx',
      '--input-format',
      'json',
      img.ref,
    ]);
    ok(a);
    assert.doesNotMatch(a.stderr, /uploading SBOM|\r/, 'no progress line when stderr is not a terminal');
    const sbomRef = `${registry!.host}/team/sbom:${img.digest.replace(':', '-')}.sbom`;
    assert.equal(JSON.parse(skopeoRaw(sbomRef)).layers[0].mediaType, 'text/spdx+json');
    const unsigned = await signet([
      'verify',
      '--key',
      file('release.pub'),
      ...trust(),
      '--attachment',
      'sbom',
      img.ref,
    ]);
    assert.equal(unsigned.status, 10, unsigned.stderr);
    const args = ['--key', file('release.key'), '--rekor-url', stack!.url, '--new-bundle-format=false'];
    ok(await signet(['sign', ...args, '--attachment', 'sbom', img.ref]));
    ok(await signet(['verify', '--key', file('release.pub'), ...trust(), '--attachment', 'sbom', img.ref]));
    const dl = await signet(['download', 'sbom', img.ref]);
    assert.equal(JSON.parse(dl.stdout).name, 'app');
    // The image itself is still unsigned.
    assert.equal((await signet(['verify', '--key', file('release.pub'), ...trust(), img.ref])).status, 10);
  });

  it('exit codes and bad input: 10 unsigned, 11 no such tag, one-line errors', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const img = image('plain');
    const key = ['--key', file('release.pub'), ...trust()];
    assert.equal((await signet(['verify', ...key, img.ref])).status, 10);
    const missing = await signet(['verify', ...key, `${registry!.host}/team/plain:nope`]);
    assert.equal(missing.status, 11, missing.stderr);
    const missingAtt = await signet(['verify-attestation', ...key, `${registry!.host}/team/plain:nope`]);
    assert.equal(missingAtt.status, 1, missingAtt.stderr);
    assert.match(missingAtt.stderr, /image tag not found/);
    const oneLine = (r: { status: number | null; stderr: string }, re: RegExp) => {
      assert.equal(r.status, 1, r.stderr);
      assert.equal(
        r.stderr
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('signet: error')).length,
        1,
        r.stderr,
      );
      assert.match(r.stderr, re);
    };
    oneLine(
      await signet(['sign', '--key', file('release.key'), '--tlog-upload=false', 'UPPER/Case:??']),
      /not a valid/,
    );
    oneLine(await signet(['verify', ...key, `${registry!.host}/team/plain@sha256:1234`]), /not a valid digest/);
    oneLine(await signet(['sign', '--key', file('nope.key'), img.ref]), /cannot read/);
    oneLine(await signet(['verify', '--key', file('nope.pub'), img.ref]), /cannot read the key/);
    oneLine(
      await signet(['sign', '--key', file('release.key'), '--tlog-upload=false', '-a', 'novalue', img.ref]),
      /key=value/,
    );
    const att = ['attest', '--key', file('release.key'), '--tlog-upload=false', '--type', 'slsaprovenance1'];
    oneLine(await signet([...att, '--predicate', file('missing.json'), img.ref]), /cannot read the predicate/);
    writeFileSync(file('garbage.json'), '{not json');
    oneLine(await signet([...att, '--predicate', file('garbage.json'), img.ref]), /not JSON/);
    oneLine(
      await signet([...att, '--type', 'nonsense', '--predicate', file('garbage.json'), img.ref]),
      /unknown predicate type/,
    );
    oneLine(
      await signet([
        'attach',
        'sbom',
        '--sbom',
        file('garbage.json'),
        '--type',
        'syft',
        '--input-format',
        'xml',
        img.ref,
      ]),
      /unsupported SBOM/,
    );
    oneLine(await signet(['verify', ...key, '127.0.0.1:1/none/such:v1']), /cannot reach registry/);
  });
});
