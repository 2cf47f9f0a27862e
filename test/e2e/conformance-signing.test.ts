import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { repoRoot, conformanceDir } from '../helpers/env.js';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';

// sigstore-conformance's signing tests replayed against `signet up` through bin/sigstore-conformance, run as the
// suite's SigstoreClient runs it (test/client.py, test/conftest.py): the entrypoint executed directly, the working
// directory a fresh workspace holding a copy of the suite's assets (a.txt, statement.json), relative paths for the
// artifact and the bundle (`<input>.sigstore.json`), `--trusted-root`/`--signing-config` as absolute paths, and the
// expected identity and issuer read from the token's `email` and `iss` claims. Covered, per signing config:
// - test_simple and test_sign_does_not_produce_root: sign a.txt; a message signature and no DSSE envelope, no CA
//   certificate in the bundle; the client verifies it by path and by digest (`sha256:<hex>`);
// - test_sign_verify_rekor2: with a signing config listing Rekor v2, the entry is hashedrekord 0.0.2 (and carries
//   an RFC 3161 timestamp, since v2 gives no integrated time);
// - test_sign_verify_dsse: sign statement.json --in-toto; a DSSE envelope whose payload is the statement's bytes,
//   no message signature; the client verifies it against a.txt, a subject of the statement.
// The suite re-verifies each bundle with its selftest client (sigstore-python); @sigstore/verify stands in for it.
type Json = Record<string, any>;
const ENTRYPOINT = join(repoRoot, 'bin', 'sigstore-conformance');
const assets = conformanceDir;
let stack: RunningStack;
let dir: string;
let token: string;
let claims: { email: string; iss: string };
let trustedRoot: Json;
let served: Json;

before(async () => {
  if (!existsSync(assets)) return;
  stack = await startSignet(['up'], { env: { SIGNET_LOG_LEVEL: 'warn' }, readyPath: '/signing_config.json' });
  dir = tempDir('signet-conformance-signing-');
  const t = await runSignetAsync([
    'oidc',
    'token',
    '--email',
    'conformance@example.com',
    '--issuer',
    `${stack.url}/oidc`,
  ]);
  assert.equal(t.status, 0, t.stderr);
  token = t.stdout.trim();
  claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8'));
  trustedRoot = (await (await fetch(`${stack.url}/trusted_root.json`)).json()) as Json;
  served = (await (await fetch(`${stack.url}/signing_config.json`)).json()) as Json;
  writeFileSync(join(dir, 'trusted_root.json'), JSON.stringify(trustedRoot));
});
after(async () => {
  await stack?.stop();
  if (stack) rmSync(stack.dataDir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The signing configs under test: signet up's own, and two narrowed to one log version as a deployment may be. */
function signingConfigs(): Array<{ name: string; config: Json; rekor: 1 | 2 }> {
  const only = (major: number) => served.rekorTlogUrls.filter((s: Json) => s.majorApiVersion === major);
  const v1Only: Json = { ...served, rekorTlogUrls: only(1), tsaUrls: [] };
  delete v1Only.tsaConfig;
  return [
    { name: 'signet up (Rekor v1 + v2 + TSA)', config: served, rekor: 2 },
    { name: 'Rekor v2 + TSA only', config: { ...served, rekorTlogUrls: only(2) }, rekor: 2 },
    { name: 'Rekor v1 only, no TSA', config: v1Only, rekor: 1 },
  ];
}

const CASES = ['signet up (Rekor v1 + v2 + TSA)', 'Rekor v2 + TSA only', 'Rekor v1 only, no TSA'];
CASES.forEach((name, i) => {
  test(`conformance signing tests, signing config: ${name}`, { timeout: 120_000 }, async (t) => {
    const sc = signingConfigs()[i]!;
    assert.equal(sc.name, name);
    await signingSuite(t, sc.config, sc.rekor, `sc${i}`);
  });
});

async function signingSuite(t: TestContext, config: Json, rekor: 1 | 2, tag: string): Promise<void> {
  const ws = tempDir(`signet-conformance-ws-${tag}-`);
  try {
    copyFileSync(join(assets, 'a.txt'), join(ws, 'a.txt'));
    copyFileSync(join(assets, 'statement.json'), join(ws, 'statement.json'));
    const scPath = join(dir, `signing_config-${tag}.json`);
    writeFileSync(scPath, JSON.stringify(config));
    const trust = ['--trusted-root', join(dir, 'trusted_root.json')];
    const sign = (extra: string[], input: string) =>
      client(ws, [
        'sign-bundle',
        ...extra,
        '--identity-token',
        token,
        '--bundle',
        `${input}.sigstore.json`,
        ...trust,
        '--signing-config',
        scPath,
        input,
      ]);
    const verify = (bundle: string, artifact: string) =>
      client(ws, [
        'verify-bundle',
        '--bundle',
        bundle,
        '--certificate-identity',
        claims.email,
        '--certificate-oidc-issuer',
        claims.iss,
        ...trust,
        artifact,
      ]);
    const artifact = readFileSync(join(ws, 'a.txt'));
    const digest = `sha256:${createHash('sha256').update(artifact).digest('hex')}`;

    await t.test('sign/verify (test_simple, test_sign_does_not_produce_root, test_sign_verify_rekor2)', async () => {
      assert.equal(existsSync(join(ws, 'a.txt.sigstore.json')), false);
      await expectOk(sign([], 'a.txt'));
      const bundle = JSON.parse(readFileSync(join(ws, 'a.txt.sigstore.json'), 'utf8')) as Json;
      assert.ok(bundle.messageSignature, 'a message signature');
      assert.equal(bundle.dsseEnvelope, undefined);
      assertNoRootCertificate(bundle);
      assertLogged(bundle, rekor, 'hashedrekord');
      await expectOk(verify('a.txt.sigstore.json', 'a.txt'));
      await expectOk(verify('a.txt.sigstore.json', digest));
      selftestVerify(bundle, artifact);
      // The same bundle over another artifact must fail, by path and by digest.
      writeFileSync(join(ws, 'b.txt'), 'not the signed artifact\n');
      assert.notEqual((await verify('a.txt.sigstore.json', 'b.txt')).status, 0);
      assert.notEqual((await verify('a.txt.sigstore.json', `sha256:${'0'.repeat(64)}`)).status, 0);
      assert.throws(() => selftestVerify(bundle, readFileSync(join(ws, 'b.txt'))));
    });

    await t.test('DSSE (test_sign_verify_dsse)', async () => {
      assert.equal(existsSync(join(ws, 'statement.json.sigstore.json')), false);
      await expectOk(sign(['--in-toto'], 'statement.json'));
      const bundle = JSON.parse(readFileSync(join(ws, 'statement.json.sigstore.json'), 'utf8')) as Json;
      assert.ok(bundle.dsseEnvelope, 'a DSSE envelope');
      assert.equal(bundle.messageSignature, undefined);
      assert.deepEqual(Buffer.from(bundle.dsseEnvelope.payload, 'base64'), readFileSync(join(ws, 'statement.json')));
      assert.equal(bundle.dsseEnvelope.payloadType, 'application/vnd.in-toto+json');
      assertNoRootCertificate(bundle);
      assertLogged(bundle, rekor);
      await expectOk(verify('statement.json.sigstore.json', 'a.txt'));
      selftestVerify(bundle);
      // a.txt is the statement's subject; another artifact is not.
      assert.notEqual((await verify('statement.json.sigstore.json', 'b.txt')).status, 0);
    });
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

/** Which log took the entry: Rekor v2 (0.0.2 entry, no promise, a TSA timestamp) or v1 (signed entry timestamp). */
function assertLogged(bundle: Json, rekor: 1 | 2, kind?: string): void {
  const entries = bundle.verificationMaterial.tlogEntries as Json[];
  assert.equal(entries.length, 1);
  const entry = entries[0]!;
  if (kind) assert.equal(entry.kindVersion.kind, kind);
  const logKey = (details: string) => trustedRoot.tlogs.find((l: Json) => l.publicKey.keyDetails === details);
  const stamps = bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? [];
  if (rekor === 2) {
    assert.equal(entry.kindVersion.version, '0.0.2');
    assert.equal(entry.logId.keyId, logKey('PKIX_ED25519').logId.keyId);
    assert.ok(!entry.inclusionPromise);
    assert.equal(stamps.length, 1, 'Rekor v2 needs a TSA timestamp');
  } else {
    assert.equal(entry.kindVersion.version, '0.0.1');
    assert.equal(entry.logId.keyId, logKey('PKIX_ECDSA_P256_SHA_256').logId.keyId);
    assert.ok(entry.inclusionPromise?.signedEntryTimestamp, 'a signed entry timestamp');
    assert.ok(Number(entry.integratedTime) > 0);
    assert.equal(stamps.length, 0, 'no TSA is listed');
  }
  assert.ok(entry.inclusionProof?.checkpoint?.envelope, 'an inclusion proof with its checkpoint');
}

/** test_sign_does_not_produce_root: no certificate in the bundle is a CA. */
function assertNoRootCertificate(bundle: Json): void {
  const vm = bundle.verificationMaterial;
  const certs: Json[] = vm.x509CertificateChain?.certificates ?? (vm.certificate ? [vm.certificate] : []);
  assert.ok(certs.length > 0, 'expected certs in either x509CertificateChain or certificate');
  for (const c of certs) assert.equal(new X509Certificate(Buffer.from(c.rawBytes, 'base64')).ca, false);
}

/** The suite's second opinion: @sigstore/verify with the trusted root signet up publishes. */
function selftestVerify(bundle: Json, artifact?: Buffer) {
  const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(trustedRoot)), {
    ctlogThreshold: 1,
    tlogThreshold: 1,
    timestampThreshold: 1,
  });
  const signer = verifier.verify(toSignedEntity(bundleFromJSON(bundle), artifact), {
    subjectAlternativeName: claims.email,
    extensions: { issuer: claims.iss },
  });
  assert.equal(signer.identity?.subjectAlternativeName, claims.email);
}

interface ClientRun {
  args: string[];
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the entrypoint as the suite does: `subprocess.run([entrypoint, *args])` in the workspace. */
function client(cwd: string, args: string[]): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(ENTRYPOINT, args, { cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ args, status, stdout, stderr }));
  });
}

async function expectOk(run: Promise<ClientRun>): Promise<void> {
  const r = await run;
  assert.equal(r.status, 0, `${r.args[0]} exited ${r.status}:\n${r.stdout}${r.stderr}`);
}
