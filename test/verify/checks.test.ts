import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseTrustedRoot } from '../../src/bundle/index.js';
import { isSignetError } from '../../src/errors.js';
import {
  embeddedScts,
  goRegexp,
  parseCertificate,
  signerIdentity,
  tbsWithoutSctList,
  trustMaterial,
  verifyEmbeddedScts,
  verifyRfc3161Timestamp,
} from '../../src/verify/index.js';
import { parseDer, derChildren, readDer } from '../../src/encoding/index.js';
import { preAuthEncoding } from '../../src/bundle/index.js';
import { verifyMessageSignature } from '../../src/verify/signature.js';
import { createHash, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { conformanceDir } from '../helpers/env.js';

const corpus = join(conformanceDir, 'bundle-verify');
const bundleOf = (name: string) => JSON.parse(readFileSync(join(corpus, name, 'bundle.sigstore.json'), 'utf8'));
const rootOf = (path: string) => parseTrustedRoot(JSON.parse(readFileSync(path, 'utf8')));
const prodRoot = () => rootOf(join(conformanceDir, 'production_trusted_root.json'));

test('Go RE2 patterns as cosign uses them: unanchored, inline flags, named groups, \\A and \\z', () => {
  assert.ok(goRegexp('example\\.com').test('https://evil.example.com.attacker'));
  assert.ok(!goRegexp('^example\\.com$').test('https://evil.example.com'));
  assert.ok(goRegexp('(?i)ALICE@').test('alice@example.com'));
  assert.ok(goRegexp('(?P<user>[a-z]+)@example\\.com').test('bob@example.com'));
  assert.ok(goRegexp('\\Abob@example\\.com\\z').test('bob@example.com'));
  assert.ok(!goRegexp('\\Abob@example\\.com\\z').test('bob@example.com\n'));
  assert.throws(
    () => goRegexp('(unclosed'),
    (e) => isSignetError(e),
  );
});

test("a Fulcio certificate's identity: SAN URI, issuer (v2 extension), GitHub claims", () => {
  const b = bundleOf('happy-path-v0.1');
  const leaf = parseCertificate(
    Buffer.from(b.verificationMaterial.x509CertificateChain.certificates[0].rawBytes, 'base64'),
  );
  const id = signerIdentity(leaf);
  assert.deepEqual(id.subjectAlternativeNames, [
    'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  ]);
  assert.equal(id.issuer, 'https://token.actions.githubusercontent.com');
  assert.equal(id.githubWorkflowTrigger, 'workflow_dispatch');
  assert.equal(id.githubWorkflowRef, 'refs/heads/main');
  assert.equal(id.githubWorkflowName, 'Extremely dangerous OIDC beacon');
  assert.equal(leaf.isCa, false);
});

test('embedded SCTs: one per certificate here, verified against the trusted CT log only', () => {
  const b = bundleOf('happy-path-v0.3-new-mediaType');
  const leaf = parseCertificate(Buffer.from(b.verificationMaterial.certificate.rawBytes, 'base64'));
  const scts = embeddedScts(leaf);
  assert.equal(scts.length, 1);
  const material = trustMaterial(prodRoot());
  const intermediate = material.certificateAuthorities[1]!.chain[0]!;
  assert.equal(verifyEmbeddedScts(leaf, intermediate, material.ctlogs), 1);
  // another issuer key hash, or no trusted log, verifies nothing
  assert.equal(verifyEmbeddedScts(leaf, leaf, material.ctlogs), 0);
  assert.equal(verifyEmbeddedScts(leaf, intermediate, []), 0);
  // the precertificate TBS is the TBS without exactly that extension
  const tbs = tbsWithoutSctList(leaf);
  const original = leaf.der.subarray(leaf.tbs.start, leaf.tbs.end);
  assert.ok(tbs.length < original.length);
  assert.equal(derChildren(parseDer(tbs, 'tbs')).length, leaf.tbsFields.length);
});

test('RFC 3161: a real TSA token verifies over its signature and nothing else', () => {
  const name = 'rekor2-happy-path';
  const b = bundleOf(name);
  const material = trustMaterial(rootOf(join(corpus, name, 'trusted_root.json')));
  const token = Buffer.from(
    b.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp,
    'base64',
  );
  const sig = Buffer.from(b.messageSignature.signature, 'base64');
  const time = verifyRfc3161Timestamp(token, sig, material.timestampAuthorities);
  assert.ok(time.getTime() > Date.parse('2025-01-01T00:00:00Z'));
  assert.throws(() => verifyRfc3161Timestamp(token, Buffer.from('other'), material.timestampAuthorities), /not over/);
  assert.throws(() => verifyRfc3161Timestamp(token, sig, []), /trusted timestamp authority/);
});

test('malformed DER, certificates and tokens are verification errors, never crashes', () => {
  const b = bundleOf('rekor2-happy-path');
  const token = Buffer.from(
    b.verificationMaterial.timestampVerificationData.rfc3161Timestamps[0].signedTimestamp,
    'base64',
  );
  const cert = Buffer.from(b.verificationMaterial.certificate.rawBytes, 'base64');
  const tsas = trustMaterial(rootOf(join(corpus, 'rekor2-happy-path', 'trusted_root.json'))).timestampAuthorities;
  const mutate = (buf: Buffer, at: number, value: number) => {
    const copy = Buffer.from(buf);
    copy[at % copy.length] = value;
    return copy;
  };
  fc.assert(
    fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), (at, value) => {
      for (const run of [
        () => verifyRfc3161Timestamp(mutate(token, at, value), Buffer.alloc(1), tsas),
        () => embeddedScts(parseCertificate(mutate(cert, at, value))),
      ]) {
        try {
          run();
        } catch (e) {
          assert.ok(isSignetError(e), String(e));
        }
      }
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        const node = readDer(Buffer.from(bytes));
        if (node.tag & 0x20) derChildren(node);
      } catch (e) {
        assert.ok(isSignetError(e), String(e));
      }
    }),
  );
});

test('DSSE PAE is the spec encoding', () => {
  assert.equal(
    preAuthEncoding('application/vnd.in-toto+json', Buffer.from('hello')).toString(),
    'DSSEv1 28 application/vnd.in-toto+json 5 hello',
  );
});

test('Ed25519 message signatures: pure, or Ed25519ph as cosign logs them', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const data = Buffer.from('hello');
  verifyMessageSignature(publicKey, sign(null, data, privateKey), { bytes: data });
  const seed = privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32);
  verifyMessageSignature(publicKey, Buffer.from(ed25519ph.sign(data, seed)), { bytes: data });
  assert.throws(
    () => verifyMessageSignature(publicKey, Buffer.from(ed25519ph.sign(Buffer.from('x'), seed)), { bytes: data }),
    /does not verify/,
  );
  assert.throws(
    () =>
      verifyMessageSignature(publicKey, sign(null, data, privateKey), {
        digest: Buffer.alloc(32),
        algorithm: 'sha256',
      }),
    /Ed25519/,
  );
});

test("a certificate's EC key is read from its SPKI: the same key as OpenSSL's, and a point off the curve is refused", () => {
  const b = bundleOf('happy-path-v0.3');
  const der = Buffer.from(b.verificationMaterial.certificate.rawBytes, 'base64');
  const leaf = parseCertificate(der);
  assert.ok(leaf.publicKey.equals(new X509Certificate(der).publicKey));
  const offCurve = Buffer.from(der);
  offCurve[der.indexOf(leaf.spki) + leaf.spki.length - 1]! ^= 1; // the point's last byte of y
  assert.throws(
    () => parseCertificate(offCurve),
    (e) => isSignetError(e, 'verification-failed'),
  );
});

test("a leaf's EC key held by the addon verifies the bundle's signature and refuses a tampered one", (t) => {
  const b = bundleOf('happy-path-v0.3');
  const leaf = parseCertificate(Buffer.from(b.verificationMaterial.certificate.rawBytes, 'base64'));
  if (!leaf.ecKey) return t.skip('the native addon (with loadEcPoint) is not built');
  const bytes = readFileSync(join(corpus, 'a.txt'));
  const signature = Buffer.from(b.messageSignature.signature, 'base64');
  verifyMessageSignature(leaf.ecKey, signature, { bytes });
  const digest = createHash('sha256').update(bytes).digest();
  verifyMessageSignature(leaf.ecKey, signature, { digest, algorithm: 'sha256' });
  const tampered = Buffer.from(signature);
  tampered[tampered.length - 3]! ^= 1;
  const failed = (e: unknown) => isSignetError(e, 'verification-failed');
  assert.throws(() => verifyMessageSignature(leaf.ecKey!, tampered, { bytes }), failed);
  assert.throws(() => verifyMessageSignature(leaf.ecKey!, signature, { bytes: Buffer.from('another') }), failed);
  const sha384 = createHash('sha384').update(bytes).digest();
  assert.throws(
    () => verifyMessageSignature(leaf.ecKey!, signature, { digest: sha384, algorithm: 'sha384' }),
    /sha256 digest/,
  );
});
