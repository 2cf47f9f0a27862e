import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';
import '../ct/reflect-shim.js';
import * as x509 from '@peculiar/x509';
import { renderSigstoreExtensions } from '../../src/ca/certificate/extensions.js';
import {
  ciProvenance,
  parseCertificate,
  sigstoreExtensionRows,
  signerIdentity,
} from '../../web/src/lib/certificate.js';
import { children, oidString, parseDer, readTlv } from '../../web/src/lib/der.js';
import { repoRoot } from '../helpers/env.js';

x509.cryptoProvider.set(webcrypto as never);
const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A GitHub Actions leaf with the extensions rendered by signet's own CA code (Fulcio's encoding and order). */
async function githubLeaf(): Promise<Uint8Array> {
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ext = renderSigstoreExtensions({
    issuer: 'https://token.actions.githubusercontent.com',
    githubWorkflowTrigger: 'push',
    githubWorkflowSha: 'a'.repeat(40),
    githubWorkflowName: 'release',
    githubWorkflowRepository: 'octo/app',
    githubWorkflowRef: 'refs/tags/v1.2.3',
    buildSignerUri: 'https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1.2.3',
    sourceRepositoryUri: 'https://github.com/octo/app',
    sourceRepositoryDigest: 'b'.repeat(40),
    sourceRepositoryRef: 'refs/tags/v1.2.3',
    buildConfigUri: 'https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1.2.3',
    buildTrigger: 'push',
    runInvocationUri: 'https://github.com/octo/app/actions/runs/1/attempts/1',
  });
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '0a1b2c',
    name: 'O=sigstore.dev',
    notBefore: new Date('2026-01-02T03:04:05Z'),
    notAfter: new Date('2026-01-02T03:14:05Z'),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.SubjectAlternativeNameExtension([
        { type: 'url', value: 'https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1.2.3' },
      ]),
      ...ext.map((e) => new x509.Extension(e)),
    ],
  });
  return new Uint8Array(cert.rawData);
}

describe('web: DER and X.509 decoding', () => {
  it('reads a CI certificate: identity, issuer, workflow, repository, ref and commit', async () => {
    const c = parseCertificate(await githubLeaf());
    assert.equal(c.serialHex, '0a1b2c');
    assert.equal(c.subject, 'O=sigstore.dev');
    assert.equal(c.keyAlgorithm, 'ECDSA P-256');
    assert.equal(c.notBefore.toISOString(), '2026-01-02T03:04:05.000Z');
    assert.deepEqual(signerIdentity(c), {
      identity: 'https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1.2.3',
      issuer: 'https://token.actions.githubusercontent.com',
    });
    assert.deepEqual(ciProvenance(c), {
      workflow: 'https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1.2.3',
      repository: 'https://github.com/octo/app',
      ref: 'refs/tags/v1.2.3',
      commit: 'b'.repeat(40),
      trigger: 'push',
    });
    const rows = sigstoreExtensionRows(c);
    assert.deepEqual(
      rows.map((r) => r.oid.split('.').pop()),
      ['1', '2', '3', '4', '5', '6', '8', '9', '12', '13', '14', '18', '20', '21'],
    );
    assert.equal(rows.find((r) => r.oid.endsWith('.1.5'))!.name, 'GitHub Workflow Repository');
  });

  it('falls back to the v1 GitHub extensions when a certificate has only those', async () => {
    const c = parseCertificate(await githubLeaf());
    for (const arc of [12, 13, 14, 18, 20, 9]) delete c.sigstore[`1.3.6.1.4.1.57264.1.${arc}`];
    assert.deepEqual(ciProvenance(c), {
      workflow: 'release',
      repository: 'octo/app',
      ref: 'refs/tags/v1.2.3',
      commit: 'a'.repeat(40),
      trigger: 'push',
    });
  });

  it('reads a production Fulcio certificate (email SAN, v1 and v2 issuer)', () => {
    // rekor.sigstore.dev log index 30955468 (test/fixtures/rekor/README.md).
    const bundle = JSON.parse(
      readFileSync(join(repoRoot, 'test/fixtures/rekor/public-log/intoto-30955468.sigstore.json'), 'utf8'),
    );
    const der = Buffer.from(bundle.verificationMaterial.x509CertificateChain.certificates[0].rawBytes, 'base64');
    const c = parseCertificate(der);
    assert.deepEqual(c.sans, ['email:brian@dehamer.com']);
    assert.deepEqual(signerIdentity(c), { identity: 'brian@dehamer.com', issuer: 'https://github.com/login/oauth' });
    assert.equal(c.sigstore['1.3.6.1.4.1.57264.1.1'], 'https://github.com/login/oauth');
    assert.equal(c.issuer, 'O=sigstore.dev, CN=sigstore-intermediate');
    assert.deepEqual(ciProvenance(c), {});
  });

  it('decodes OIDs, long lengths, and refuses truncated or trailing input', () => {
    assert.equal(oidString(Uint8Array.from([0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xbf, 0x30])), '1.3.6.1.4.1.57264');
    assert.equal(oidString(Uint8Array.from([0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07])), '1.2.840.10045.3.1.7');
    const long = Uint8Array.from([0x04, 0x81, 0x80, ...new Array(128).fill(7)]);
    assert.equal(parseDer(long).value.length, 128);
    assert.throws(() => parseDer(Uint8Array.from([0x30, 0x05, 0x02, 0x01])), /runs past the end/);
    assert.throws(() => parseDer(Uint8Array.from([0x05, 0x00, 0x00])), /trailing bytes/);
    assert.throws(() => readTlv(Uint8Array.from([0x30])), /truncated/);
    assert.throws(() => readTlv(Uint8Array.from([0x30, 0x85, 1, 1, 1, 1, 1])), /bad length/);
    assert.equal(children(parseDer(Uint8Array.from([0x30, 0x00]))).length, 0);
  });

  it('never crashes other than with an Error on random bytes', async () => {
    const good = await githubLeaf();
    for (let i = 0; i < 500; i++) {
      const bad = Uint8Array.from(good);
      bad[(i * 7919) % bad.length] ^= 1 + (i % 255);
      try {
        parseCertificate(bad.subarray(0, bad.length - (i % 3)));
      } catch (e) {
        assert.ok(e instanceof Error);
      }
    }
  });
});
