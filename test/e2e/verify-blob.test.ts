import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { DSSEBundleBuilder, FulcioSigner, MessageSignatureBundleBuilder, RekorWitness } from '@sigstore/sign';
import { conformanceDir } from '../helpers/env.js';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';

/**
 * signet verify-blob against bundles made by another client: sigstore-js (@sigstore/sign) signing against the
 * stack of `signet up` (its CA, CT log and transparency log), plus signet's own old-format and detached outputs.
 */
const env = { SIGNET_LOG_LEVEL: 'warn', COSIGN_PASSWORD: 'pw' };
const EMAIL = 'verifier@example.com';
let stack: RunningStack;
let dir: string;
let issuer: string;
const file = (name: string) => join(dir, name);
const signet = (args: string[]) => runSignetAsync(args, { env, cwd: dir });

before(async () => {
  stack = await startSignet(['up'], { env, readyPath: '/signing_config.json' });
  issuer = `${stack.url}/oidc`;
  dir = tempDir('signet-verify-');
  writeFileSync(file('artifact.txt'), 'an artifact signed by sigstore-js\n');
  const tok = await signet(['oidc', 'token', '--email', EMAIL, '--issuer', issuer]);
  assert.equal(tok.status, 0, tok.stderr);
  const token = tok.stdout.trim();
  const signer = () =>
    new FulcioSigner({ fulcioBaseURL: stack.url, identityProvider: { getToken: async () => token } });
  const witness = () => new RekorWitness({ rekorBaseURL: stack.url });
  const message = await new MessageSignatureBundleBuilder({ signer: signer(), witnesses: [witness()] }).create({
    data: readFileSync(file('artifact.txt')),
  });
  writeFileSync(file('js.sigstore.json'), JSON.stringify(bundleToJSON(message)));
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'artifact.txt', digest: { sha256: sha256(readFileSync(file('artifact.txt'))) } }],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: { buildDefinition: { buildType: 'https://example.com/build' } },
  };
  const dsse = await new DSSEBundleBuilder({ signer: signer(), witnesses: [witness()] }).create({
    data: Buffer.from(JSON.stringify(statement)),
    type: 'application/vnd.in-toto+json',
  });
  writeFileSync(file('js-dsse.sigstore.json'), JSON.stringify(bundleToJSON(dsse)));
});
after(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const trust = () => ['--trusted-root', `${stack.url}/trusted_root.json`];
const keyless = (id = EMAIL) => ['--certificate-identity', id, '--certificate-oidc-issuer', issuer];

async function verified(args: string[]) {
  const r = await signet(args);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, 'Verified OK\n');
  assert.equal(r.stdout, '');
}

async function refused(args: string[], why: RegExp) {
  const r = await signet(args);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /^signet: error: /);
  assert.match(r.stderr, why);
}

test('a sigstore-js keyless bundle from the stack verifies, by file and by digest', async () => {
  const bundle = ['--bundle', file('js.sigstore.json')];
  await verified(['verify-blob', ...trust(), ...bundle, ...keyless(), file('artifact.txt')]);
  const digest = `sha256:${sha256(readFileSync(file('artifact.txt')))}`;
  await verified(['verify-blob', ...trust(), ...bundle, ...keyless(), digest]);
  await verified([
    'verify-blob',
    ...trust(),
    ...bundle,
    '--certificate-identity-regexp',
    '@example\\.com$',
    '--certificate-oidc-issuer-regexp',
    '^http://127\\.0\\.0\\.1',
    file('artifact.txt'),
  ]);
  // the trusted root as a file works the same
  writeFileSync(file('root.json'), await (await fetch(`${stack.url}/trusted_root.json`)).text());
  await verified([
    'verify-blob',
    '--trusted-root',
    file('root.json'),
    '--offline',
    ...bundle,
    ...keyless(),
    file('artifact.txt'),
  ]);
});

test('the checks refuse what they should, one line each', async () => {
  const bundle = ['--bundle', file('js.sigstore.json')];
  writeFileSync(file('other.txt'), 'something else\n');
  await refused(['verify-blob', ...trust(), ...bundle, ...keyless(), file('other.txt')], /digest/);
  await refused(
    ['verify-blob', ...trust(), ...bundle, ...keyless('mallory@example.com'), file('artifact.txt')],
    /identity/,
  );
  await refused(
    [
      'verify-blob',
      ...trust(),
      ...bundle,
      '--certificate-identity',
      EMAIL,
      '--certificate-oidc-issuer',
      'https://x',
      file('artifact.txt'),
    ],
    /OIDC issuer/,
  );
  // the public-good root does not trust the stack's CA or log
  await refused(['verify-blob', '--offline', ...bundle, ...keyless(), file('artifact.txt')], /trusted/);
  // keyless needs both policy flags, checked before any work
  await refused(['verify-blob', ...trust(), ...bundle, file('artifact.txt')], /certificate-identity/);
  await refused(
    ['verify-blob', ...trust(), ...bundle, '--certificate-identity', EMAIL, file('artifact.txt')],
    /issuer/,
  );
  await refused(
    [
      'verify-blob',
      '--offline',
      '--trusted-root',
      `${stack.url}/trusted_root.json`,
      ...bundle,
      ...keyless(),
      file('artifact.txt'),
    ],
    /offline/,
  );
  const b = JSON.parse(readFileSync(file('js.sigstore.json'), 'utf8'));
  b.mediaType = 'application/vnd.dev.sigstore.bundle+json;version=9.9';
  writeFileSync(file('bad.json'), JSON.stringify(b));
  await refused(
    ['verify-blob', ...trust(), '--bundle', file('bad.json'), ...keyless(), file('artifact.txt')],
    /mediaType/,
  );
  writeFileSync(file('junk.json'), '{"mediaType": ');
  await refused(
    ['verify-blob', ...trust(), '--bundle', file('junk.json'), ...keyless(), file('artifact.txt')],
    /not valid JSON/,
  );
  await refused(['verify-blob', ...trust(), ...bundle, ...keyless(), 'sha256:1234'], /not a file nor a digest/);
});

test('verify-blob-attestation: a sigstore-js DSSE bundle, its subject and predicate type', async () => {
  const args = ['verify-blob-attestation', ...trust(), '--bundle', file('js-dsse.sigstore.json'), ...keyless()];
  await verified([...args, '--type', 'slsaprovenance1', file('artifact.txt')]);
  await verified([...args, '--type', 'https://slsa.dev/provenance/v1', file('artifact.txt')]);
  await refused([...args, '--type', 'spdx', file('artifact.txt')], /predicate type/);
  writeFileSync(file('other.txt'), 'something else\n');
  await refused([...args, '--type', 'slsaprovenance1', file('other.txt')], /subject/);
  await verified([...args, '--type', 'slsaprovenance1', '--check-claims=false']);
  // verify-blob accepts a DSSE bundle too when the artifact is a subject
  await verified([
    'verify-blob',
    ...trust(),
    '--bundle',
    file('js-dsse.sigstore.json'),
    ...keyless(),
    file('artifact.txt'),
  ]);
});

test("signet's key-based, old-format and detached outputs verify", async () => {
  let r = await signet(['generate-key-pair', '--output-key-prefix', file('k')]);
  assert.equal(r.status, 0, r.stderr);
  const key = ['--key', file('k.pub')];
  r = await signet([
    'sign-blob',
    '--key',
    file('k.key'),
    '--rekor-url',
    stack.url,
    '--bundle',
    file('k.json'),
    file('artifact.txt'),
  ]);
  assert.equal(r.status, 0, r.stderr);
  await verified(['verify-blob', ...trust(), ...key, '--bundle', file('k.json'), file('artifact.txt')]);
  writeFileSync(file('k.sig'), r.stdout);
  r = await signet([
    'sign-blob',
    '--key',
    file('k.key'),
    '--rekor-url',
    stack.url,
    '--new-bundle-format=false',
    '--bundle',
    file('old.json'),
    file('artifact.txt'),
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok('base64Signature' in JSON.parse(readFileSync(file('old.json'), 'utf8')));
  await verified(['verify-blob', ...trust(), ...key, '--bundle', file('old.json'), file('artifact.txt')]);
  // a detached signature (a file or the base64 text) is found in the log by the artifact's hash, as cosign does
  const rekor = ['--rekor-url', stack.url];
  await verified(['verify-blob', ...trust(), ...key, ...rekor, '--signature', file('k.sig'), file('artifact.txt')]);
  const b64 = readFileSync(file('k.sig'), 'utf8').trim();
  await verified(['verify-blob', ...trust(), ...key, ...rekor, '--signature', b64, file('artifact.txt')]);
  const digest = `sha256:${sha256(readFileSync(file('artifact.txt')))}`;
  await verified(['verify-blob', ...trust(), ...key, ...rekor, '--signature', b64, digest]);
  r = await signet([
    'sign-blob',
    '--key',
    file('k.key'),
    '--tlog-upload=false',
    '--bundle',
    file('u.json'),
    file('artifact.txt'),
  ]);
  assert.equal(r.status, 0, r.stderr);
  writeFileSync(file('unlogged.sig'), r.stdout);
  await refused(
    ['verify-blob', ...trust(), ...key, ...rekor, '--signature', file('unlogged.sig'), file('artifact.txt')],
    /no transparency log entry for this signature/,
  );
  await verified([
    'verify-blob',
    ...trust(),
    ...key,
    '--signature',
    file('k.sig'),
    '--insecure-ignore-tlog',
    file('artifact.txt'),
  ]);
  await refused(
    ['verify-blob', ...trust(), '--key', file('k.pub'), '--bundle', file('js.sigstore.json'), file('artifact.txt')],
    /not for the given key/,
  );
});

test('a keyless signet bundle in the old cosign format verifies with the identity flags', async () => {
  const tok = await signet(['oidc', 'token', '--email', EMAIL, '--issuer', issuer]);
  assert.equal(tok.status, 0, tok.stderr);
  const r = await signet([
    'sign-blob',
    '--signing-config',
    `${stack.url}/signing_config.json`,
    '--identity-token',
    tok.stdout.trim(),
    '--new-bundle-format=false',
    '--bundle',
    file('old-keyless.json'),
    '-y',
    file('artifact.txt'),
  ]);
  assert.equal(r.status, 0, r.stderr);
  const old = JSON.parse(readFileSync(file('old-keyless.json'), 'utf8'));
  assert.ok(old.cert && old.rekorBundle);
  await verified(['verify-blob', ...trust(), '--bundle', file('old-keyless.json'), ...keyless(), file('artifact.txt')]);
  await refused(
    [
      'verify-blob',
      ...trust(),
      '--bundle',
      file('old-keyless.json'),
      ...keyless('eve@example.com'),
      file('artifact.txt'),
    ],
    /identity/,
  );
});

test('a keyless signet bundle verifies with @sigstore/verify and with signet', async () => {
  const tok = await signet(['oidc', 'token', '--email', EMAIL, '--issuer', issuer]);
  assert.equal(tok.status, 0, tok.stderr);
  const signing = ['--signing-config', `${stack.url}/signing_config.json`, '--identity-token', tok.stdout.trim(), '-y'];
  let r = await signet(['sign-blob', ...signing, '--bundle', file('signet.json'), file('artifact.txt')]);
  assert.equal(r.status, 0, r.stderr);
  const root = await (await fetch(`${stack.url}/trusted_root.json`)).json();
  const verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(root)), { tlogThreshold: 1, ctlogThreshold: 1 });
  const entity = toSignedEntity(
    bundleFromJSON(JSON.parse(readFileSync(file('signet.json'), 'utf8'))),
    readFileSync(file('artifact.txt')),
  );
  const signer = verifier.verify(entity, { subjectAlternativeName: EMAIL, extensions: { issuer } });
  assert.equal(signer.identity?.extensions?.issuer, issuer);
  await verified(['verify-blob', ...trust(), '--bundle', file('signet.json'), ...keyless(), file('artifact.txt')]);
  // and an attestation made by signet
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'artifact.txt', digest: { sha256: sha256(readFileSync(file('artifact.txt'))) } }],
    predicateType: 'https://cosign.sigstore.dev/attestation/v1',
    predicate: { Data: 'hello', Timestamp: '2026-01-01T00:00:00Z' },
  };
  writeFileSync(file('statement.json'), JSON.stringify(statement));
  r = await signet(['attest-blob', ...signing, '--statement', file('statement.json'), '--bundle', file('att.json')]);
  assert.equal(r.status, 0, r.stderr);
  const att = ['verify-blob-attestation', ...trust(), '--bundle', file('att.json'), ...keyless()];
  await verified([...att, '--type', 'custom', file('artifact.txt')]);
  const dsse = toSignedEntity(bundleFromJSON(JSON.parse(readFileSync(file('att.json'), 'utf8'))));
  verifier.verify(dsse, { subjectAlternativeName: EMAIL, extensions: { issuer } });
});

test('the conformance entrypoint verifies a corpus bundle through the public-good root', async () => {
  const corpus = join(conformanceDir, 'bundle-verify');
  const r = await runSignetAsync(
    [
      'verify-blob',
      '--offline',
      '--bundle',
      join(corpus, 'happy-path-v0.3-new-mediaType', 'bundle.sigstore.json'),
      '--certificate-identity-regexp',
      '^https://github\\.com/sigstore-conformance/',
      '--certificate-oidc-issuer',
      'https://token.actions.githubusercontent.com',
      join(corpus, 'a.txt'),
    ],
    { env },
  );
  assert.equal(r.status, 0, r.stderr);
});
