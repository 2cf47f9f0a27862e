import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseBundle,
  parseBundleJson,
  parseTrustedRoot,
  type Bundle,
  type TrustedRoot,
} from '../../src/bundle/index.js';
import { isSignetError } from '../../src/errors.js';
import { trustMaterial, verifyBundle, type Artifact, type VerifyOptions } from '../../src/verify/index.js';
import { conformanceDir } from '../helpers/env.js';

const corpus = join(conformanceDir, 'bundle-verify');
const ID =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';
const policy = { identity: { exact: ID }, issuer: { exact: ISSUER } };

interface Case {
  bundle: Record<string, any>;
  root: Record<string, any>;
  artifact: Buffer;
  dir: string;
}

function load(name: string): Case {
  const dir = join(corpus, name);
  const rootPath = existsSync(join(dir, 'trusted_root.json'))
    ? join(dir, 'trusted_root.json')
    : join(conformanceDir, 'production_trusted_root.json');
  const artifactPath = existsSync(join(dir, 'artifact')) ? join(dir, 'artifact') : join(corpus, 'a.txt');
  return {
    bundle: JSON.parse(readFileSync(join(dir, 'bundle.sigstore.json'), 'utf8')),
    root: JSON.parse(readFileSync(rootPath, 'utf8')),
    artifact: readFileSync(artifactPath),
    dir,
  };
}

function verify(c: Case, options: Partial<VerifyOptions> = {}) {
  const bundle: Bundle = parseBundle(c.bundle);
  const root: TrustedRoot = parseTrustedRoot(c.root);
  return verifyBundle(bundle, trustMaterial(root), { artifact: { bytes: c.artifact }, policy, ...options });
}

function fails(c: Case, pattern: RegExp, options: Partial<VerifyOptions> = {}): void {
  assert.throws(
    () => verify(c, options),
    (e) => isSignetError(e, 'verification-failed') && pattern.test(e.message),
  );
}

const flip = (b64: string, at = 10) => {
  const b = Buffer.from(b64, 'base64');
  b[at] ^= 1;
  return b.toString('base64');
};

test('real bundles verify: v0.1, v0.2, v0.3 both spellings, DSSE, Rekor v2 with TSA, managed key', () => {
  for (const name of ['happy-path-v0.1', 'happy-path-v0.2', 'happy-path-v0.3', 'happy-path-v0.3-new-mediaType']) {
    const r = verify(load(name));
    assert.equal(r.verifiedTimes[0]!.source, 'tlog', name);
    assert.equal(r.identity!.issuer, ISSUER);
  }
  assert.equal(verify(load('happy-path-intoto-in-dsse-v3')).statement!._type, 'https://in-toto.io/Statement/v1');
  const v2 = verify(load('rekor2-happy-path'));
  assert.deepEqual(
    v2.verifiedTimes.map((t) => t.source),
    ['tsa'],
  );
  const keyCase = load('managed-key-happy-path');
  const key = createPublicKey(readFileSync(join(keyCase.dir, 'key.pub')));
  assert.equal(verify(keyCase, { key, policy: {} }).identity, undefined);
});

test('a sha256 digest stands in for the artifact', () => {
  const c = load('happy-path-v0.3-new-mediaType');
  const artifact: Artifact = { digest: createHash('sha256').update(c.artifact).digest(), algorithm: 'sha256' };
  verify(c, { artifact });
  fails(c, /digest/, { artifact: { digest: Buffer.alloc(32), algorithm: 'sha256' } });
  const dsse = load('happy-path-intoto-in-dsse-v3');
  verify(dsse, { artifact: { digest: createHash('sha256').update(dsse.artifact).digest(), algorithm: 'sha256' } });
});

test('each check fails on its own tampering', () => {
  const base = () => load('happy-path-v0.3-new-mediaType');
  let c = base();
  c.artifact = Buffer.from('another artifact');
  fails(c, /digest is not the artifact digest/);
  c = base();
  delete c.bundle.messageSignature.messageDigest;
  c.artifact = Buffer.from('another artifact');
  fails(c, /log entry digest is not the artifact digest/);
  c = base();
  c.bundle.messageSignature.signature = flip(c.bundle.messageSignature.signature);
  fails(c, /log entry signature is not the bundle signature/);
  c = base();
  c.bundle.verificationMaterial.tlogEntries[0].inclusionPromise.signedEntryTimestamp = flip(
    c.bundle.verificationMaterial.tlogEntries[0].inclusionPromise.signedEntryTimestamp,
  );
  fails(c, /signed entry timestamp/);
  c = base();
  c.bundle.verificationMaterial.tlogEntries[0].inclusionProof.hashes[0] = flip(
    c.bundle.verificationMaterial.tlogEntries[0].inclusionProof.hashes[0],
    3,
  );
  fails(c, /inclusion proof/);
  c = base();
  c.bundle.verificationMaterial.certificate.rawBytes = flip(c.bundle.verificationMaterial.certificate.rawBytes, 400);
  assert.throws(() => verify(c), isSignetError);
});

test('identity policy: exact and regexp (unanchored, as cosign), issuer, GitHub claims', () => {
  const c = load('happy-path-v0.1');
  fails(c, /certificate identity .* does not match/, { policy: { ...policy, identity: { exact: ID + 'x' } } });
  fails(c, /OIDC issuer/, { policy: { ...policy, issuer: { exact: 'https://accounts.google.com' } } });
  verify(c, {
    policy: { identity: { regexp: 'sigstore-conformance/extremely' }, issuer: { regexp: '^https://token\\.' } },
  });
  fails(c, /pattern/, { policy: { identity: { regexp: '^sigstore-conformance' }, issuer: { exact: ISSUER } } });
  verify(c, { policy: { identity: { regexp: '(?i)EXTREMELY-DANGEROUS' }, issuer: { exact: ISSUER } } });
  fails(c, /are required/, { policy: { identity: { exact: ID } } });
  fails(c, /are required/, { policy: {} });
  const r = verify(c, {
    policy: { ...policy, githubWorkflowTrigger: 'workflow_dispatch', githubWorkflowRef: 'refs/heads/main' },
  });
  assert.equal(r.identity!.githubWorkflowRepository, 'sigstore-conformance/extremely-dangerous-public-oidc-beacon');
  fails(c, /githubWorkflowTrigger/, { policy: { ...policy, githubWorkflowTrigger: 'push' } });
});

test('SCTs: required unless ignored; only trusted CT logs count', () => {
  const c = load('invalid-ct-key_fail');
  fails(c, /no valid SCT/);
  verify(c, { ignoreSct: true });
  const prod = load('happy-path-v0.1');
  prod.root.ctlogs = [];
  fails(prod, /no valid SCT/);
});

test('the CA and the certificate must be valid at the verified time', () => {
  const c = load('happy-path-v0.1');
  for (const ca of c.root.certificateAuthorities) ca.validFor.end = '2022-12-31T00:00:00Z';
  fails(c, /not trusted at/);
  const expired = load('intoto-set-outside-signing-cert-validity_fail');
  fails(expired, /not valid at/);
  // without a log entry, the certificate must be valid now (it expired long ago), as cosign
  const now = load('happy-path-v0.1');
  fails(now, /not valid at/, { ignoreTlog: true });
});

test('a bundle may not carry its own root; the key must match the certificate', () => {
  fails(load('bundle-with-root-cert_fail'), /includes a root certificate/);
  const c = load('happy-path-v0.1');
  const other = createPublicKey(readFileSync(join(corpus, 'managed-key-happy-path', 'key.pub')));
  fails(c, /not for the given key/, { key: other });
  // the certificate's own key, given with --key, is trusted as such
  const leaf = new X509Certificate(
    Buffer.from(c.bundle.verificationMaterial.x509CertificateChain.certificates[0].rawBytes, 'base64'),
  );
  assert.equal(verify(c, { key: leaf.publicKey, policy: {} }).identity, undefined);
  fails(load('managed-key-no-key_fail'), /no public key was given/, { policy: {} });
});

test('timestamps: over this signature, by a trusted TSA, inside its validity', () => {
  fails(load('rekor2-timestamp-payload-mismatch_fail'), /not over this signature/);
  fails(load('rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail'), /trusted timestamp authority/);
  fails(load('rekor2-timestamp-outside-trust-root-tsa-validity_fail'), /validity period/);
  fails(load('rekor2-no-timestamp_fail'), /no verified timestamp/);
  verify(load('rekor2-timestamp-with-expired-cert-chain'));
  verify(load('trust-root-tsa-validity-end-inclusive'));
  const c = load('rekor2-happy-path');
  const ts = c.bundle.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0];
  ts.signedTimestamp = flip(ts.signedTimestamp, Buffer.from(ts.signedTimestamp, 'base64').length - 5);
  assert.throws(
    () => verify(c),
    (e) => isSignetError(e, 'verification-failed'),
  );
});

test('a frozen (ended) log: entries dated after its validFor.end are refused, at the end accepted', () => {
  const end = (c: Case, at: Date) => {
    for (const log of c.root.tlogs) log.publicKey.validFor.end = at.toISOString();
    return c;
  };
  // Rekor v1: dated by the integrated time.
  const v1 = load('happy-path-v0.3');
  const integrated = verify(v1).verifiedTimes[0]!.time;
  verify(end(load('happy-path-v0.3'), integrated));
  fails(end(load('happy-path-v0.3'), new Date(integrated.getTime() - 1000)), /integrated time .* outside the validity/);
  // Rekor v2 entries carry no integrated time: the TSA's signed time dates them.
  const tsaTime = verify(load('rekor2-happy-path')).verifiedTimes[0]!.time;
  verify(end(load('rekor2-happy-path'), tsaTime));
  fails(
    end(load('rekor2-happy-path'), new Date(tsaTime.getTime() - 1000)),
    /^signed timestamp \S+ is outside the validity of the log's key \(.* to .*\)$/,
  );
  // A log that starts after the signed time is no better.
  const late = load('rekor2-happy-path');
  for (const log of late.root.tlogs) log.publicKey.validFor.start = new Date(tsaTime.getTime() + 1000).toISOString();
  fails(late, /signed timestamp .* outside the validity/);
});

test('DSSE: the envelope signature and the in-toto subject', () => {
  const c = load('happy-path-intoto-in-dsse-v3');
  c.artifact = Buffer.from('not the subject');
  fails(c, /not a subject/);
  const v2 = load('rekor2-dsse-happy-path');
  verify(v2);
  fails(load('rekor2-dsse-mismatch-envelope_fail'), /log entry/);
  fails(load('dsse-mismatch-envelope_fail'), /payload hash/);
});

test('every corpus case gets the verdict its name says', () => {
  for (const name of readdirSync(corpus)) {
    if (!existsSync(join(corpus, name, 'bundle.sigstore.json'))) continue;
    let ok = true;
    try {
      parseBundleJson(readFileSync(join(corpus, name, 'bundle.sigstore.json'), 'utf8'));
      const c = load(name);
      const key = existsSync(join(c.dir, 'key.pub'))
        ? createPublicKey(readFileSync(join(c.dir, 'key.pub')))
        : undefined;
      const id = existsSync(join(c.dir, 'identity')) ? readFileSync(join(c.dir, 'identity'), 'utf8').trim() : ID;
      const iss = existsSync(join(c.dir, 'issuer')) ? readFileSync(join(c.dir, 'issuer'), 'utf8').trim() : ISSUER;
      verify(c, key ? { key, policy: {} } : { policy: { identity: { exact: id }, issuer: { exact: iss } } });
    } catch (e) {
      // the one non-SignetError: a key file that is not a key (the CLI reports it as such)
      assert.ok(isSignetError(e) || name === 'managed-key-wrong-key_fail', `${name}: ${String(e)}`);
      ok = false;
    }
    assert.equal(ok, !name.endsWith('_fail'), name);
  }
});
