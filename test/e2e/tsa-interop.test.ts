// The timestamp authority against outside clients: OpenSSL's `ts` (query, reply, verify) against `signet tsa
// serve`, and, against `signet up`, sigstore-js signing with `tsaServerURL`, signet's own clients taking the TSA
// from the signing config or --timestamp-server-url, and @sigstore/verify / openssl accepting the results.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { Verifier, toSignedEntity, toTrustMaterial } from '@sigstore/verify';
import { sign } from 'sigstore';
import { hasProgram, requireOrSkip } from '../helpers/env.js';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';

const dir = tempDir('signet-tsa-e2e-');
const file = (name: string) => join(dir, name);
let tsa: RunningStack;
let stack: RunningStack;

before(async () => {
  const env = { SIGNET_LOG_LEVEL: 'warn' };
  [tsa, stack] = await Promise.all([
    startSignet(['tsa', 'serve'], { dataDir: file('tsa-data'), env, readyPath: '/api/v1/timestamp/certchain' }),
    startSignet(['up'], { dataDir: file('up-data'), env, readyPath: '/trusted_root.json' }),
  ]);
});
after(async () => {
  await Promise.all([tsa?.stop(), stack?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

function openssl(args: string[]) {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Splits a PEM chain into leaf.pem (untrusted) and root.pem (CA file) under `prefix`. */
function writeChain(pem: string, prefix: string): { leaf: string; root: string } {
  const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
  writeFileSync(file(`${prefix}-leaf.pem`), certs[0] + '\n');
  writeFileSync(file(`${prefix}-root.pem`), certs[certs.length - 1] + '\n');
  return { leaf: file(`${prefix}-leaf.pem`), root: file(`${prefix}-root.pem`) };
}

async function postQuery(url: string, query: Buffer): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: query });
}

async function identityToken(email: string): Promise<string> {
  const tok = await runSignetAsync(['oidc', 'token', '--email', email, '--issuer', `${stack.url}/oidc`]);
  assert.equal(tok.status, 0, tok.stderr);
  return tok.stdout.trim();
}

async function trustedRoot() {
  return TrustedRoot.fromJSON(await (await fetch(`${stack.url}/trusted_root.json`)).json());
}

describe('openssl ts against signet tsa serve', () => {
  for (const hash of ['sha256', 'sha384', 'sha512']) {
    it(`openssl ts -query (-${hash}, nonce, -cert) is answered and openssl ts -verify accepts the reply`, async (t) => {
      if (!requireOrSkip(t, hasProgram('openssl', 'version'), 'the program `openssl`')) return;
      writeFileSync(file('data.bin'), `some signature bytes ${hash}`);
      const q = openssl(['ts', '-query', '-data', file('data.bin'), `-${hash}`, '-cert', '-out', file('q.tsq')]);
      assert.equal(q.status, 0, q.out);
      const res = await postQuery(`${tsa.url}/api/v1/timestamp`, readFileSync(file('q.tsq')));
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/timestamp-reply');
      writeFileSync(file('r.tsr'), Buffer.from(await res.arrayBuffer()));
      const text = openssl(['ts', '-reply', '-in', file('r.tsr'), '-text']);
      assert.match(text.out, /Status: Granted/);
      assert.match(text.out, /Policy OID: 1\.3\.6\.1\.4\.1\.57264\.2/);
      assert.match(text.out, /Accuracy: 0x01 seconds/);
      assert.match(text.out, /Nonce: 0x/);
      const chain = writeChain(await (await fetch(`${tsa.url}/api/v1/timestamp/certchain`)).text(), 'standalone');
      // -queryfile checks imprint and nonce against the request; -data recomputes the imprint.
      for (const against of [
        ['-queryfile', file('q.tsq')],
        ['-data', file('data.bin')],
      ]) {
        const v = openssl([
          'ts',
          '-verify',
          ...against,
          '-in',
          file('r.tsr'),
          '-CAfile',
          chain.root,
          '-untrusted',
          chain.leaf,
        ]);
        assert.equal(v.status, 0, v.out);
        assert.match(v.out, /Verification: OK/);
      }
      // Another root does not verify it.
      const other = writeChain(await (await fetch(`${stack.url}/api/v1/timestamp/certchain`)).text(), 'other');
      const bad = openssl([
        'ts',
        '-verify',
        '-data',
        file('data.bin'),
        '-in',
        file('r.tsr'),
        '-CAfile',
        other.root,
        '-untrusted',
        chain.leaf,
      ]);
      assert.notEqual(bad.status, 0);
    });
  }

  it('a query openssl makes without -cert gets a token openssl verifies with the chain given as -untrusted', async (t) => {
    if (!requireOrSkip(t, hasProgram('openssl', 'version'), 'the program `openssl`')) return;
    writeFileSync(file('plain.bin'), 'plain');
    assert.equal(openssl(['ts', '-query', '-data', file('plain.bin'), '-no_nonce', '-out', file('p.tsq')]).status, 0);
    const res = await postQuery(`${tsa.url}/api/v1/timestamp`, readFileSync(file('p.tsq')));
    writeFileSync(file('p.tsr'), Buffer.from(await res.arrayBuffer()));
    const chain = writeChain(await (await fetch(`${tsa.url}/api/v1/timestamp/certchain`)).text(), 'plain');
    const v = openssl([
      'ts',
      '-verify',
      '-queryfile',
      file('p.tsq'),
      '-in',
      file('p.tsr'),
      '-CAfile',
      chain.root,
      '-untrusted',
      chain.leaf,
    ]);
    assert.equal(v.status, 0, v.out);
  });
});

describe('signing with the TSA of signet up', () => {
  it('sigstore-js (tsaServerURL) gets a timestamp @sigstore/verify accepts as the only timestamp', async () => {
    const root = await trustedRoot();
    assert.equal(root.timestampAuthorities.length, 1);
    const serialized = await sign(Buffer.from('hello tsa'), {
      fulcioURL: stack.url,
      tsaServerURL: stack.url,
      tlogUpload: false,
      identityToken: await identityToken('tsa-js@example.com'),
    });
    const bundle = bundleFromJSON(serialized);
    assert.equal(bundle.verificationMaterial.tlogEntries.length, 0);
    assert.equal(bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps.length, 1);
    const entity = toSignedEntity(bundle, Buffer.from('hello tsa'));
    const verifier = new Verifier(toTrustMaterial(root), {
      tlogThreshold: 0,
      ctlogThreshold: 1,
      timestampThreshold: 1,
    });
    const signer = verifier.verify(entity, { subjectAlternativeName: 'tsa-js@example.com' });
    assert.equal(signer.identity?.subjectAlternativeName, 'tsa-js@example.com');
    // Without the TSA in the trusted root the same bundle has no trusted time.
    const noTsa = TrustedRoot.fromJSON({ ...(TrustedRoot.toJSON(root) as object), timestampAuthorities: [] });
    assert.throws(() =>
      new Verifier(toTrustMaterial(noTsa), { tlogThreshold: 0, timestampThreshold: 1 }).verify(entity),
    );
  });

  it('signet sign-blob with the stack signing config adds a timestamp; signet, sigstore-js and openssl accept it', async (t) => {
    writeFileSync(file('artifact.txt'), 'artifact for the tsa');
    const email = 'tsa-cli@example.com';
    const r = await runSignetAsync([
      'sign-blob',
      '--signing-config',
      `${stack.url}/signing_config.json`,
      '--identity-token',
      await identityToken(email),
      '--bundle',
      file('artifact.sigstore.json'),
      file('artifact.txt'),
    ]);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(readFileSync(file('artifact.sigstore.json'), 'utf8'));
    const stamps = json.verificationMaterial.timestampVerificationData.rfc3161Timestamps;
    assert.equal(stamps.length, 1);
    const v = await runSignetAsync([
      'verify-blob',
      '--trusted-root',
      `${stack.url}/trusted_root.json`,
      '--certificate-identity',
      email,
      '--certificate-oidc-issuer',
      `${stack.url}/oidc`,
      '--bundle',
      file('artifact.sigstore.json'),
      file('artifact.txt'),
    ]);
    assert.equal(v.status, 0, v.stderr);
    // The stack's signing config lists Rekor v2 first: its entries carry no integrated time, so the TSA's
    // timestamp is the only one @sigstore/verify counts, and it must be enough on its own.
    assert.equal(json.verificationMaterial.tlogEntries[0].kindVersion.version, '0.0.2');
    assert.equal(json.verificationMaterial.tlogEntries[0].integratedTime ?? '0', '0');
    const entity = toSignedEntity(bundleFromJSON(json), readFileSync(file('artifact.txt')));
    new Verifier(toTrustMaterial(await trustedRoot()), { tlogThreshold: 1, timestampThreshold: 1 }).verify(entity, {
      subjectAlternativeName: email,
    });
    if (!requireOrSkip(t, hasProgram('openssl', 'version'), 'the program `openssl`')) return;
    writeFileSync(file('artifact.tsr'), Buffer.from(stamps[0].signedTimestamp, 'base64'));
    writeFileSync(file('artifact.sig'), Buffer.from(json.messageSignature.signature, 'base64'));
    const chain = writeChain(await (await fetch(`${stack.url}/api/v1/timestamp/certchain`)).text(), 'up');
    const o = openssl([
      'ts',
      '-verify',
      '-data',
      file('artifact.sig'),
      '-in',
      file('artifact.tsr'),
      '-CAfile',
      chain.root,
      '-untrusted',
      chain.leaf,
    ]);
    assert.equal(o.status, 0, o.out);
  });

  it('attest-blob with --timestamp-server-url and a key: the DSSE signature is timestamped, verify-blob-attestation accepts', async () => {
    const env = { COSIGN_PASSWORD: 'tsa-test-password' };
    const gen = await runSignetAsync(['generate-key-pair', '--output-key-prefix', file('k')], { env });
    assert.equal(gen.status, 0, gen.stderr);
    writeFileSync(file('subject.txt'), 'subject');
    writeFileSync(file('pred.json'), '{"a":1}');
    const r = await runSignetAsync(
      [
        'attest-blob',
        '--key',
        file('k.key'),
        '--rekor-url',
        stack.url,
        '--timestamp-server-url',
        `${tsa.url}/api/v1/timestamp`,
        '--predicate',
        file('pred.json'),
        '--bundle',
        file('att.sigstore.json'),
        file('subject.txt'),
      ],
      { env },
    );
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(readFileSync(file('att.sigstore.json'), 'utf8'));
    assert.equal(json.verificationMaterial.timestampVerificationData.rfc3161Timestamps.length, 1);
    // The standalone TSA is not in the stack's trusted root: verification must refuse its timestamp...
    const refused = await runSignetAsync([
      'verify-blob-attestation',
      '--key',
      file('k.pub'),
      '--trusted-root',
      `${stack.url}/trusted_root.json`,
      '--bundle',
      file('att.sigstore.json'),
      file('subject.txt'),
    ]);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, /timestamp/);
    // ...and accept it once the trusted root lists that TSA too.
    const root = (await (await fetch(`${stack.url}/trusted_root.json`)).json()) as { timestampAuthorities: unknown[] };
    const chainPem = await (await fetch(`${tsa.url}/api/v1/timestamp/certchain`)).text();
    const certs = chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
    root.timestampAuthorities.push({
      uri: `${tsa.url}/api/v1/timestamp`,
      certChain: {
        certificates: certs.map((p) => ({ rawBytes: p.replace(/-----[A-Z ]+-----|\s/g, '') })),
      },
      validFor: { start: '2020-01-01T00:00:00Z' },
    });
    writeFileSync(file('root-with-tsa.json'), JSON.stringify(root));
    const ok = await runSignetAsync([
      'verify-blob-attestation',
      '--key',
      file('k.pub'),
      '--trusted-root',
      file('root-with-tsa.json'),
      '--bundle',
      file('att.sigstore.json'),
      file('subject.txt'),
    ]);
    assert.equal(ok.status, 0, ok.stderr);
  });

  it('--timestamp-server-url and --signing-config together are a usage error', async () => {
    const r = await runSignetAsync([
      'sign-blob',
      '--signing-config',
      `${stack.url}/signing_config.json`,
      '--timestamp-server-url',
      `${stack.url}/api/v1/timestamp`,
      '--bundle',
      file('x.json'),
      file('artifact.txt'),
    ]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^signet: error: cannot specify service URLs and use a signing config/m);
  });
});
