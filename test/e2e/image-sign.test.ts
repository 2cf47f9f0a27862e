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

/** An image pushed for a test: by tag, by digest, and the repository its legacy signatures name. */
interface Img {
  tag: string;
  ref: string;
  digest: string;
  signedAs: string;
}

/** signet sign / verify / attest / attach against a real registry and `signet up` (Rekor, Fulcio, dev OIDC). */
describe('image signing against docker-registry and signet up', () => {
  let registry: RunningRegistry | undefined;
  let stack: RunningStack | undefined;
  let dir = '';
  const file = (name: string) => join(dir, name);
  const signet = (args: string[]) => runSignetAsync(args, { env, cwd: dir });
  const ok = (r: { status: number | null; stderr: string }) => assert.equal(r.status, 0, r.stderr);
  const image = (name: string): Img => {
    const digest = pushTestImage(`${registry!.host}/team/${name}:v1`);
    const signedAs = `${registry!.host}/team/${name}`;
    return { tag: `${signedAs}:v1`, ref: `${signedAs}@${digest}`, digest, signedAs };
  };
  const trust = () => ['--trusted-root', `${stack!.url}/trusted_root.json`];

  /** The referrer bundle verifies with @sigstore/verify (an independent verifier) against the stack's root. */
  async function sigstoreJsVerifies(host: string, repo: string, digest: string) {
    const [found] = await readBundleReferrers(new RegistryClient(host), repo, digest);
    const bundle = JSON.parse(found!.bundle.toString());
    const [entry] = bundle.verificationMaterial.tlogEntries;
    assert.equal(entry.kindVersion.kind, 'dsse');
    // `signet up`'s signing config lists Rekor v2 and a TSA: the referrer bundle is made as cosign v3 makes it.
    assert.equal(entry.kindVersion.version, '0.0.2');
    assert.equal(entry.inclusionPromise, undefined, 'a Rekor v2 entry has no SET');
    assert.equal(bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps.length, 1);
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

  /** cosign's lines for a keyless `verify`, then its JSON: the payload's `optional` names the signer and issuer. */
  function assertKeylessOutput(v: { stdout: string; stderr: string }, img: Img, ref: string, n = 1) {
    const lines = v.stderr.split('\n');
    const from = lines.indexOf('The following checks were performed on each of these signatures:');
    assert.ok(from > 0, v.stderr);
    assert.equal(lines[from - 1], `Verification for ${ref} --`, 'cosign names the reference as given');
    assert.deepEqual(lines.slice(from + 1, from + 4), [
      '  - The cosign claims were validated',
      '  - Existence of the claims in the transparency log was verified offline',
      '  - The code-signing certificate was verified using trusted certificate authority certificates',
    ]);
    assert.ok(v.stdout.startsWith('\n['), 'cosign writes a newline, then the JSON array');
    const payloads = JSON.parse(v.stdout);
    assert.equal(payloads.length, n);
    for (const { critical, optional } of payloads) {
      // cosign v3 names the reference verified in a bundle's synthesized payload; a legacy payload, what was signed.
      const legacy = critical.type === 'cosign container image signature';
      assert.equal(critical.identity['docker-reference'], legacy ? img.signedAs : ref);
      assert.equal(critical.image['docker-manifest-digest'], img.digest);
      assert.equal(optional.Subject, 'alice@example.com');
      assert.equal(optional.Issuer, `${stack!.url}/oidc`);
      assert.equal(optional['1.3.6.1.4.1.57264.1.1'], `${stack!.url}/oidc`);
    }
    return payloads as { critical: { type: string } }[];
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

  it('a .sig without a stapled Rekor bundle: verify --rekor-url finds its entry online and says so as cosign', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const img = image('online');
    const legacy = ['--key', file('release.key'), '--new-bundle-format=false', '--tlog-upload=false'];
    ok(await signet(['sign', ...legacy, img.ref]));
    const layer = JSON.parse(skopeoRaw(`${registry!.host}/team/online:${img.digest.replace(':', '-')}.sig`)).layers[0];
    assert.equal(layer.annotations['dev.sigstore.cosign/bundle'], undefined);
    const unlogged = await signet([
      'verify',
      '--key',
      file('release.pub'),
      ...trust(),
      '--rekor-url',
      stack!.url,
      img.ref,
    ]);
    assert.equal(unlogged.status, 12, unlogged.stderr);
    assert.match(unlogged.stderr, /no transparency log entry for this signature/);

    // The signature over the payload goes into the log the rekor-cli way; then verify finds it by the payload's hash.
    const dl = JSON.parse((await signet(['download', 'signature', img.ref])).stdout.trim());
    writeFileSync(file('online.payload'), Buffer.from(dl.Payload, 'base64'));
    writeFileSync(file('online.sig'), dl.Base64Signature);
    const upload = ['log', 'upload', '--rekor-url', stack!.url, '--pki-format', 'x509', '--public-key'];
    ok(
      await signet([
        ...upload,
        file('release.pub'),
        '--signature',
        file('online.sig'),
        '--artifact',
        file('online.payload'),
      ]),
    );
    const v = await signet(['verify', '--key', file('release.pub'), ...trust(), '--rekor-url', stack!.url, img.ref]);
    ok(v);
    assert.match(v.stderr, /^ {2}- The claims were present in the transparency log$/m);
    assert.match(
      v.stderr,
      /^ {2}- The signatures were integrated into the transparency log when the certificate was valid$/m,
    );
    assert.doesNotMatch(v.stderr, /verified offline/);
    assert.match(v.stderr, /^ {2}- The signatures were verified against the specified public key$/m);
    assert.equal(JSON.parse(v.stdout)[0].critical.image['docker-manifest-digest'], img.digest);
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
      assertKeylessOutput(v, img, img.ref);
      if (format === 'true') {
        await sigstoreJsVerifies(registry!.host, `team/${name}`, img.digest);
        // attest follows the signing config the same way: a Rekor v2 entry and a TSA timestamp in the referrer.
        writeFileSync(
          file('kl-prov.json'),
          JSON.stringify({ buildDefinition: { buildType: 'https://example.com/k' } }),
        );
        const attest = ['attest', '--signing-config', `${stack!.url}/signing_config.json`, '--type', 'slsaprovenance1'];
        ok(
          await signet([
            ...attest,
            '--identity-token',
            token.stdout.trim(),
            '--predicate',
            file('kl-prov.json'),
            '-y',
            img.ref,
          ]),
        );
        const referrers = await readBundleReferrers(new RegistryClient(registry!.host), `team/${name}`, img.digest);
        const att = referrers
          .map((r) => JSON.parse(r.bundle.toString()))
          .find((b) =>
            JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString()).predicateType.includes('slsa'),
          );
        assert.equal(att.verificationMaterial.tlogEntries[0].kindVersion.version, '0.0.2');
        assert.equal(att.verificationMaterial.timestampVerificationData.rfc3161Timestamps.length, 1);
        const va = await signet([
          'verify-attestation',
          ...trust(),
          '--certificate-identity',
          'alice@example.com',
          ...policy,
          '--type',
          'slsaprovenance1',
          img.ref,
        ]);
        ok(va);
        assert.match(va.stderr, /^Certificate subject: alice@example\.com$/m);
        assert.equal(va.stderr.match(/^Certificate issuer URL: (.*)$/m)?.[1], `${stack!.url}/oidc`);
        assert.match(
          va.stderr,
          /^ {2}- The code-signing certificate was verified using trusted certificate authority/m,
        );
      }
      if (format === 'false') {
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

  it('copy: referrer bundles, their tag-schema index and the legacy tags follow the image; verify passes on the copy', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const host = registry!.host;
    const token = await signet(['oidc', 'token', '--email', 'alice@example.com', '--issuer', `${stack!.url}/oidc`]);
    ok(token);
    const keyless = ['--signing-config', `${stack!.url}/signing_config.json`, '--identity-token', token.stdout.trim()];
    const img = image('copied');
    ok(await signet(['sign', ...keyless, '-y', img.ref]));
    ok(await signet(['sign', ...keyless, '--new-bundle-format=false', '-y', img.ref]));
    writeFileSync(file('copy-prov.json'), JSON.stringify({ buildDefinition: { buildType: 'https://example.com/c' } }));
    const attest = ['attest', ...keyless, '--type', 'slsaprovenance1', '--predicate', file('copy-prov.json'), '-y'];
    ok(await signet([...attest, img.ref]));

    const copy = await signet(['copy', img.tag, `${host}/mirror/app:v2`]);
    ok(copy);
    const fallback = `${host}/mirror/app:${img.digest.replace(':', '-')}`;
    const index = JSON.parse(skopeoRaw(fallback));
    const types = index.manifests.map(
      (m: { annotations: Record<string, string> }) => m.annotations['dev.sigstore.bundle.predicateType'],
    );
    assert.deepEqual(types.sort(), ['https://sigstore.dev/cosign/sign/v1', 'https://slsa.dev/provenance/v1']);
    assert.equal(JSON.parse(skopeoRaw(`${fallback}.sig`)).layers.length, 1);

    const policy = ['--certificate-identity', 'alice@example.com', '--certificate-oidc-issuer', `${stack!.url}/oidc`];
    const v = await signet(['verify', ...trust(), ...policy, `${host}/mirror/app:v2`]);
    ok(v);
    const payloads = assertKeylessOutput(v, img, `${host}/mirror/app:v2`, 2);
    assert.deepEqual(payloads.map((p) => p.critical.type).sort(), [
      'cosign container image signature',
      'https://sigstore.dev/cosign/sign/v1',
    ]);
    const va = await signet([
      'verify-attestation',
      ...trust(),
      ...policy,
      '--type',
      'slsaprovenance1',
      `${host}/mirror/app:v2`,
    ]);
    ok(va);
    assert.match(va.stderr, /^Certificate subject: alice@example\.com$/m);
    const statement = JSON.parse(Buffer.from(JSON.parse(va.stdout).payload, 'base64').toString());
    assert.equal(statement.subject[0].digest.sha256, img.digest.slice(7));

    // --only sig leaves the attestation behind: verify passes on that copy, verify-attestation finds nothing.
    ok(await signet(['copy', '--only', 'sig', img.ref, `${host}/mirror/sigs:v1`]));
    ok(await signet(['verify', ...trust(), ...policy, `${host}/mirror/sigs:v1`]));
    const none = await signet(['verify-attestation', ...trust(), ...policy, `${host}/mirror/sigs:v1`]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /no attestations found/);
  });

  it('keyless with a GitHub workflow identity: verify prints the workflow claims as cosign (json and text)', async (t) => {
    if (!requireOrSkip(t, tools, 'docker-registry and skopeo')) return;
    const sha = 'a94a8fe5ccb19ba61c4c0873d391e987982fbbd3';
    const workflow = 'octo-org/app/.github/workflows/release.yml@refs/heads/main';
    const oidc = ['oidc', 'token', '--issuer', `${stack!.url}/oidc`, '--github-workflow', workflow, '--sha', sha];
    const token = await signet([...oidc, '--event', 'push']);
    ok(token);
    const img = image('workflow');
    const keyless = ['--signing-config', `${stack!.url}/signing_config.json`, '--identity-token', token.stdout.trim()];
    ok(await signet(['sign', ...keyless, '-y', img.ref]));
    ok(await signet(['sign', ...keyless, '--new-bundle-format=false', '-y', img.ref]));
    const policy = [
      ...trust(),
      '--certificate-identity',
      `https://github.com/${workflow}`,
      '--certificate-oidc-issuer',
      `${stack!.url}/oidc/github`,
      '--certificate-github-workflow-repository',
      'octo-org/app',
    ];
    const v = await signet(['verify', ...policy, img.ref]);
    ok(v);
    const payloads = JSON.parse(v.stdout);
    assert.equal(payloads.length, 2, 'the bundle referrer and the .sig layer');
    for (const { optional } of payloads) {
      assert.equal(optional.Subject, `https://github.com/${workflow}`);
      assert.equal(optional.Issuer, `${stack!.url}/oidc/github`);
      assert.equal(optional.githubWorkflowTrigger, 'push');
      assert.equal(optional['1.3.6.1.4.1.57264.1.2'], 'push');
      assert.equal(optional.githubWorkflowSha, sha);
      assert.equal(optional['1.3.6.1.4.1.57264.1.3'], sha);
      assert.equal(optional.githubWorkflowRepository, 'octo-org/app');
      assert.equal(optional['1.3.6.1.4.1.57264.1.5'], 'octo-org/app');
      assert.equal(optional.githubWorkflowRef, 'refs/heads/main');
      assert.equal(optional['1.3.6.1.4.1.57264.1.6'], 'refs/heads/main');
    }
    const text = await signet(['verify', ...policy, '-o', 'text', img.ref]);
    ok(text);
    assert.equal(text.stdout.trim().split('\n').length, 2, 'one payload per line');
    assert.equal(text.stderr.match(/^Certificate subject: https:\/\/github\.com\/octo-org\/app\//gm)?.length, 2);
    assert.match(text.stderr, /^GitHub Workflow Trigger: push$/m);
    assert.match(text.stderr, new RegExp(`^GitHub Workflow SHA: ${sha}$`, 'm'));
    assert.match(text.stderr, /^GitHub Workflow Repository: octo-org\/app$/m);
    assert.match(text.stderr, /^GitHub Workflow Ref: refs\/heads\/main$/m);
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
