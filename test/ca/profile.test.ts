import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import { requireProgram, conformanceDir } from '../helpers/env.js';
import { tempDir } from '../helpers/process.js';
import { signSct, verifySct } from '../../src/ct/sct.js';
import { OID_CT_POISON, parseSctList, tbsWithoutExtension } from '../../src/encoding/index.js';
import { precertEntryFromFinal } from '../../src/ct/verify-embedded.js';
import type { CtLog, Sct } from '../../src/ca/index.js';
import { keyAndProof, startTestCa, startTestIssuer, v2Body, type TestCa, type TestIssuer } from './fixtures.js';

/** A CT log double that really signs (RFC 6962 precert entry) with a P-256 key, and records what it was given. */
function signingCtLog(): CtLog & { key: KeyObject; publicKey: KeyObject; chains: Buffer[][] } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const logId = createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest();
  const chains: Buffer[][] = [];
  return {
    key: privateKey,
    publicKey,
    chains,
    async addPreChain(chain: Buffer[]): Promise<Sct> {
      chains.push(chain);
      const issuerKeyHash = createHash('sha256')
        .update(new X509Certificate(chain[1]!).publicKey.export({ format: 'der', type: 'spki' }))
        .digest();
      return signSct(
        privateKey,
        logId,
        { type: 'precert', issuerKeyHash, tbsDer: tbsWithoutExtension(chain[0]!, OID_CT_POISON) },
        Date.now(),
      );
    },
  };
}

const GOLDEN_BUNDLE = join(conformanceDir, 'bundle-verify', 'happy-path-v0.3', 'bundle.sigstore.json');

function goldenLeaf(): Buffer {
  const b = JSON.parse(readFileSync(GOLDEN_BUNDLE, 'utf8'));
  const vm = b.verificationMaterial;
  return Buffer.from((vm.certificate ?? vm.x509CertificateChain.certificates[0]).rawBytes, 'base64');
}

interface Ext {
  oid: string;
  critical: boolean;
  value: Buffer;
}

function extensionsOf(der: Buffer): Ext[] {
  const cert = AsnConvert.parse(der, Certificate);
  return (cert.tbsCertificate.extensions ?? []).map((e) => ({
    oid: e.extnID,
    critical: e.critical,
    value: Buffer.from(e.extnValue.buffer),
  }));
}

/** The golden certificate's Sigstore extension values as strings (raw for .1-.6, UTF8String content for .8+). */
function sigstoreValues(exts: Ext[]): Map<number, string> {
  const out = new Map<number, string>();
  for (const e of exts) {
    const m = /^1\.3\.6\.1\.4\.1\.57264\.1\.(\d+)$/.exec(e.oid);
    if (!m) continue;
    const n = Number(m[1]);
    out.set(
      n,
      n <= 6
        ? e.value.toString('utf8')
        : e.value.subarray(e.value[1]! & 0x80 ? 2 + (e.value[1]! & 0x7f) : 2).toString('utf8'),
    );
  }
  return out;
}

let gh: TestIssuer;
let ca: TestCa;
let ct: ReturnType<typeof signingCtLog>;

before(async () => {
  gh = await startTestIssuer();
  ct = signingCtLog();
  ca = await startTestCa(
    {
      OIDCIssuers: {
        [gh.url]: { IssuerURL: gh.url, ClientID: 'sigstore', Type: 'ci-provider', CIProvider: 'github-workflow' },
      },
    },
    { ctLog: ct },
  );
});
after(async () => {
  await ca.close();
  await gh.close();
});

/** Claims that reproduce the golden certificate's extension values through Fulcio's GitHub templates. */
function claimsFromGolden(v: Map<number, string>): Record<string, string> {
  const strip = (s: string) => s.replace(/^https:\/\/github\.com\//, '');
  const run = /\/actions\/runs\/(\d+)\/attempts\/(\d+)$/.exec(v.get(21)!)!;
  return {
    sub: v.get(24) ?? `repo:${v.get(5)}:ref:${v.get(6)}`,
    event_name: v.get(2)!,
    sha: v.get(3)!,
    workflow: v.get(4)!,
    repository: v.get(5)!,
    ref: v.get(6)!,
    job_workflow_ref: strip(v.get(9)!),
    job_workflow_sha: v.get(10)!,
    runner_environment: v.get(11)!,
    repository_id: v.get(15)!,
    repository_owner: strip(v.get(16)!),
    repository_owner_id: v.get(17)!,
    workflow_ref: strip(v.get(18)!),
    workflow_sha: v.get(19)!,
    run_id: run[1]!,
    run_attempt: run[2]!,
    repository_visibility: v.get(22)!,
  };
}

test('a GitHub Actions leaf matches the public-good golden leaf extension by extension', async () => {
  if (!existsSync(GOLDEN_BUNDLE)) return;
  const golden = goldenLeaf();
  const goldenExts = extensionsOf(golden);
  const claims = claimsFromGolden(sigstoreValues(goldenExts));
  const { pem, proof } = keyAndProof(claims.sub!);
  const res = await ca.app.inject({
    method: 'POST',
    url: '/api/v2/signingCert',
    payload: v2Body(await gh.token(claims), pem, proof),
  });
  assert.equal(res.statusCode, 200, res.body);
  const certs: string[] = res.json().signedCertificateEmbeddedSct.chain.certificates;
  const mine = new X509Certificate(certs[0]!);
  const mineExts = extensionsOf(mine.raw);
  // The same extensions in the same order with the same criticality (the golden one predates .1.24 / has it).
  const goldenOids = goldenExts.map((e) => `${e.oid}${e.critical ? '!' : ''}`);
  const mineOids = mineExts
    .map((e) => `${e.oid}${e.critical ? '!' : ''}`)
    .filter((o) => goldenOids.includes(o) || !o.endsWith('57264.1.24'));
  assert.deepEqual(mineOids, goldenOids);
  for (const g of goldenExts) {
    const m = mineExts.find((e) => e.oid === g.oid)!;
    if (['2.5.29.14', '2.5.29.35'].includes(g.oid)) {
      assert.equal(m.value.length, g.value.length, `${g.oid}: a 20-byte key identifier in the same structure`);
      continue;
    }
    // The SCT and the issuer URL differ by construction.
    if (['1.3.6.1.4.1.11129.2.4.2', '1.3.6.1.4.1.57264.1.1', '1.3.6.1.4.1.57264.1.8'].includes(g.oid)) continue;
    assert.deepEqual(m.value.toString('hex'), g.value.toString('hex'), `extension ${g.oid} is byte-identical`);
  }
  // Shape of the rest of the TBS: v3, 20-byte serial, empty subject, 600 s, ecdsa-with-SHA384.
  const g = AsnConvert.parse(golden, Certificate).tbsCertificate;
  const c = AsnConvert.parse(mine.raw, Certificate).tbsCertificate;
  assert.equal(c.version, g.version);
  assert.equal(Buffer.from(c.serialNumber).length, 20);
  assert.equal(c.subject.length, 0);
  assert.equal(c.signature.algorithm, g.signature.algorithm);
  assert.equal(c.validity.notAfter.getTime().getTime() - c.validity.notBefore.getTime().getTime(), 600_000);
});

test('embedded SCT: precert and final share serial, validity and TBS; the SCT verifies; openssl agrees', async (t) => {
  const claims = {
    sub: 'repo:o/r:ref:refs/heads/main',
    event_name: 'push',
    sha: 'a',
    workflow: 'w',
    repository: 'o/r',
    ref: 'refs/heads/main',
    job_workflow_ref: 'o/r/.github/workflows/x.yml@refs/heads/main',
    job_workflow_sha: 'b',
    runner_environment: 'github-hosted',
    repository_id: '1',
    repository_owner: 'o',
    repository_owner_id: '2',
    workflow_ref: 'o/r/.github/workflows/x.yml@refs/heads/main',
    workflow_sha: 'c',
    run_id: '3',
    run_attempt: '1',
    repository_visibility: 'public',
  };
  const { pem, proof } = keyAndProof(claims.sub);
  const res = await ca.app.inject({
    method: 'POST',
    url: '/api/v2/signingCert',
    payload: v2Body(await gh.token(claims), pem, proof),
  });
  assert.equal(res.statusCode, 200, res.body);
  const certs: string[] = res.json().signedCertificateEmbeddedSct.chain.certificates;
  const [leaf, intermediate, root] = certs.map((p) => new X509Certificate(p));
  const precert = ct.chains.at(-1)![0]!;
  const pre = new X509Certificate(precert);
  assert.equal(pre.serialNumber, leaf!.serialNumber);
  assert.equal(pre.validFrom, leaf!.validFrom);
  assert.equal(pre.validTo, leaf!.validTo);
  assert.deepEqual(
    ct.chains.at(-1)!.slice(1),
    [intermediate!.raw, root!.raw],
    'the precert is submitted with the CA chain',
  );
  const preExts = extensionsOf(precert);
  const finalExts = extensionsOf(leaf!.raw);
  assert.deepEqual(preExts.at(-1), {
    oid: '1.3.6.1.4.1.11129.2.4.3',
    critical: true,
    value: Buffer.from('0500', 'hex'),
  });
  assert.equal(finalExts.at(-1)!.oid, '1.3.6.1.4.1.11129.2.4.2');
  assert.equal(finalExts.at(-1)!.critical, false);
  assert.deepEqual(preExts.slice(0, -1), finalExts.slice(0, -1));
  // RFC 6962: the final TBS minus the SCT list is the precert TBS minus the poison, so the SCT verifies.
  const sct = parseSctList(finalExts.at(-1)!.value.subarray(2));
  assert.equal(sct.length, 1);
  assert.ok(verifySct(sct[0]!, precertEntryFromFinal(leaf!.raw, intermediate!.raw), ct.publicKey));
  assert.ok(leaf!.verify(intermediate!.publicKey));

  if (!requireProgram(t, 'openssl', 'version')) return;
  const dir = tempDir();
  const files = ['leaf', 'intermediate', 'root'].map((n, i) => {
    const f = join(dir, `${n}.pem`);
    writeFileSync(f, certs[i]! + '\n');
    return f;
  });
  const text = execFileSync('openssl', ['x509', '-in', files[0]!, '-text', '-noout'], { encoding: 'utf8' });
  assert.match(text, /Signature Algorithm: ecdsa-with-SHA384/);
  assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature/);
  assert.match(text, /X509v3 Extended Key Usage:\s+Code Signing/);
  assert.match(
    text,
    /X509v3 Subject Alternative Name: critical\s+URI:https:\/\/github.com\/o\/r\/.github\/workflows\/x.yml@refs\/heads\/main/,
  );
  assert.match(text, /CT Precertificate SCTs:\s+Signed Certificate Timestamp:\s+Version\s+: v1 \(0x0\)/);
  assert.match(text, /Subject: ?\n/);
  const order = [
    ...text.matchAll(/^ {12}(X509v3 [A-Za-z ]+|1\.3\.6\.1\.4\.1\.57264\.1\.\d+|CT Precertificate SCTs)/gm),
  ].map((m) => m[1]);
  assert.deepEqual(order.slice(0, 5), [
    'X509v3 Key Usage',
    'X509v3 Extended Key Usage',
    'X509v3 Subject Key Identifier',
    'X509v3 Authority Key Identifier',
    'X509v3 Subject Alternative Name',
  ]);
  assert.equal(order.at(-1), 'CT Precertificate SCTs');
  execFileSync('openssl', ['verify', '-partial_chain', '-purpose', 'any', '-CAfile', files[1]!, files[0]!]);
  execFileSync('openssl', ['verify', '-CAfile', files[2]!, '-untrusted', files[1]!, files[0]!]);
});

test('the CA chain is shaped like the public-good one', async (t) => {
  const [intermediate, root] = ca.ca.chainPem().map((p) => new X509Certificate(p));
  assert.ok(root!.ca && intermediate!.ca);
  assert.ok(root!.verify(root!.publicKey));
  assert.ok(intermediate!.verify(root!.publicKey));
  assert.deepEqual(intermediate!.keyUsage, ['1.3.6.1.5.5.7.3.3']);
  assert.equal(intermediate!.publicKey.asymmetricKeyDetails?.namedCurve, 'secp384r1');
  if (!requireProgram(t, 'openssl', 'version')) return;
  const dir = tempDir();
  writeFileSync(join(dir, 'int.pem'), intermediate!.toString());
  const text = execFileSync('openssl', ['x509', '-in', join(dir, 'int.pem'), '-text', '-noout'], { encoding: 'utf8' });
  assert.match(text, /X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
  assert.match(text, /X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
});
