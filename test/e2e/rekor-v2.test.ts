import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import { SigningConfig, TrustedRoot } from '@sigstore/protobuf-specs';
import { bundleBuilderFromSigningConfig } from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';

// A keyless signing session against `signet up` with its default signing config (Rekor v1 + v2 + TSA): the
// clients choose Rekor v2 and a timestamp, and both signet and @sigstore/verify accept what they made.
type Json = Record<string, any>;
const EMAIL = 'carol@example.com';
const PREDICATE = 'https://example.com/test/v1';
let stack: RunningStack;
let dir: string;
let token: string;
let trustedRoot: Json;
let signingConfig: Json;

before(async () => {
  stack = await startSignet(['up'], { env: { SIGNET_LOG_LEVEL: 'warn' }, readyPath: '/signing_config.json' });
  dir = tempDir('signet-rekor2-e2e-');
  const t = await runSignetAsync(['oidc', 'token', '--email', EMAIL, '--issuer', `${stack.url}/oidc`]);
  assert.equal(t.status, 0, t.stderr);
  token = t.stdout.trim();
  trustedRoot = (await (await fetch(`${stack.url}/trusted_root.json`)).json()) as Json;
  signingConfig = (await (await fetch(`${stack.url}/signing_config.json`)).json()) as Json;
  writeFileSync(join(dir, 'trusted_root.json'), JSON.stringify(trustedRoot));
  writeFileSync(join(dir, 'signing_config.json'), JSON.stringify(signingConfig));
  writeFileSync(join(dir, 'a.txt'), 'signed through rekor v2\n');
  writeFileSync(join(dir, 'statement.json'), statement(readFileSync(join(dir, 'a.txt'))));
});
after(async () => {
  await stack?.stop();
  if (stack) rmSync(stack.dataDir, { recursive: true, force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Verifies with @sigstore/verify 3.x, a signed timestamp required (Rekor v2 gives no integrated time). */
function sigstoreJsVerify(bundle: Json, artifact?: Buffer) {
  const material = toTrustMaterial(TrustedRoot.fromJSON(trustedRoot));
  const verifier = new Verifier(material, { ctlogThreshold: 1, tlogThreshold: 1, timestampThreshold: 1 });
  return verifier.verify(toSignedEntity(bundleFromJSON(bundle), artifact), {
    subjectAlternativeName: EMAIL,
    extensions: { issuer: `${stack.url}/oidc` },
  });
}

function assertRekorV2Bundle(bundle: Json, kind: string): void {
  const entry = bundle.verificationMaterial.tlogEntries[0];
  assert.deepEqual(entry.kindVersion, { kind, version: '0.0.2' });
  assert.equal(entry.inclusionPromise, undefined);
  assert.ok(!entry.integratedTime || entry.integratedTime === '0');
  const v2 = trustedRoot.tlogs.find((l: Json) => l.publicKey.keyDetails === 'PKIX_ED25519');
  assert.equal(entry.logId.keyId, v2.logId.keyId);
  assert.match(entry.inclusionProof.checkpoint.envelope, new RegExp(`^${new URL(stack.url).host}\\n`));
  assert.equal(bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps.length, 1);
}

const signetFlags = () => ['--signing-config', `${stack.url}/signing_config.json`, '--identity-token', token, '-y'];
const verifyFlags = () => [
  '--certificate-identity',
  EMAIL,
  '--certificate-oidc-issuer',
  `${stack.url}/oidc`,
  '--trusted-root',
  join(dir, 'trusted_root.json'),
];

test('signet sign-blob with the default signing config makes a Rekor v2 + TSA bundle both verifiers accept', async () => {
  const out = join(dir, 'blob.sigstore.json');
  const r = await runSignetAsync(['sign-blob', ...signetFlags(), '--bundle', out, join(dir, 'a.txt')]);
  assert.equal(r.status, 0, r.stderr);
  const bundle = JSON.parse(readFileSync(out, 'utf8'));
  assertRekorV2Bundle(bundle, 'hashedrekord');
  const v = await runSignetAsync(['verify-blob', ...verifyFlags(), '--bundle', out, join(dir, 'a.txt')]);
  assert.equal(v.status, 0, v.stderr + v.stdout);
  assert.equal(sigstoreJsVerify(bundle, readFileSync(join(dir, 'a.txt'))).identity?.subjectAlternativeName, EMAIL);
  // A tampered artifact fails both.
  writeFileSync(join(dir, 'b.txt'), 'not what was signed\n');
  const bad = await runSignetAsync(['verify-blob', ...verifyFlags(), '--bundle', out, join(dir, 'b.txt')]);
  assert.notEqual(bad.status, 0);
  assert.throws(() => sigstoreJsVerify(bundle, readFileSync(join(dir, 'b.txt'))));
});

test('signet attest-blob logs dsse 0.0.2 on Rekor v2 with a timestamp', async () => {
  const out = join(dir, 'att.sigstore.json');
  const r = await runSignetAsync([
    'attest-blob',
    ...signetFlags(),
    '--statement',
    join(dir, 'statement.json'),
    '--bundle',
    out,
  ]);
  assert.equal(r.status, 0, r.stderr);
  const bundle = JSON.parse(readFileSync(out, 'utf8'));
  assertRekorV2Bundle(bundle, 'dsse');
  const v = await runSignetAsync([
    'verify-blob-attestation',
    ...verifyFlags(),
    '--type',
    PREDICATE,
    '--bundle',
    out,
    join(dir, 'a.txt'),
  ]);
  assert.equal(v.status, 0, v.stderr + v.stdout);
  sigstoreJsVerify(bundle);
});

test('sigstore-js (@sigstore/sign) signs through signet Rekor v2 + TSA from the signing config', async () => {
  const identityProvider = { getToken: async () => token };
  const config = SigningConfig.fromJSON(signingConfig);
  for (const bundleType of ['messageSignature', 'dsseEnvelope'] as const) {
    const builder = bundleBuilderFromSigningConfig({ signingConfig: config, identityProvider, bundleType });
    const data = bundleType === 'dsseEnvelope' ? readFileSync(join(dir, 'statement.json')) : Buffer.from('js');
    const bundle = bundleToJSON(await builder.create({ data, type: 'application/vnd.in-toto+json' })) as Json;
    assertRekorV2Bundle(bundle, bundleType === 'dsseEnvelope' ? 'dsse' : 'hashedrekord');
    sigstoreJsVerify(bundle, bundleType === 'dsseEnvelope' ? undefined : data);
    const path = join(dir, `js-${bundleType}.sigstore.json`);
    writeFileSync(path, JSON.stringify(bundle));
    if (bundleType === 'messageSignature') writeFileSync(join(dir, 'js.txt'), data);
    const args =
      bundleType === 'dsseEnvelope'
        ? ['verify-blob-attestation', ...verifyFlags(), '--type', PREDICATE, '--bundle', path, join(dir, 'a.txt')]
        : ['verify-blob', ...verifyFlags(), '--bundle', path, join(dir, 'js.txt')];
    const v = await runSignetAsync(args);
    assert.equal(v.status, 0, `${bundleType}: ${v.stderr}${v.stdout}`);
  }
});

// The conformance client's signing tests (sign/verify, DSSE, rekor2) run in conformance-signing.test.ts.

function statement(artifact: Buffer): string {
  return JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'a.txt', digest: { sha256: createHash('sha256').update(artifact).digest('hex') } }],
    predicateType: PREDICATE,
    predicate: {},
  });
}
