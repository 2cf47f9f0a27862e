import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FulcioSigner } from '@sigstore/sign';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';
import { startTestIssuer, type TestIssuer } from '../ca/fixtures.js';

const env = { SIGNET_CA_PASSWORD: 'e2e-password-123', SIGNET_LOG_LEVEL: 'warn' };
let issuer: TestIssuer;
let server: RunningStack;
let dataDir: string;

before(async () => {
  issuer = await startTestIssuer();
  dataDir = tempDir();
  const init = await runSignetAsync(['ca', 'init', '--data-dir', dataDir], { env });
  assert.equal(init.status, 0, init.stderr);
  assert.match(init.stdout, /created CA in/);
  const config = join(dataDir, 'issuers.json');
  writeFileSync(
    config,
    JSON.stringify({ OIDCIssuers: { [issuer.url]: { IssuerURL: issuer.url, ClientID: 'sigstore', Type: 'email' } } }),
  );
  server = await startSignet(['ca', 'serve', '--config-path', config], {
    dataDir,
    env,
    readyPath: '/api/v2/trustBundle',
  });
});

after(async () => {
  await server?.stop();
  await issuer?.close();
});

test('ca init refuses to overwrite and needs a password', async () => {
  const again = await runSignetAsync(['ca', 'init', '--data-dir', dataDir], { env });
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^signet: error: a CA already exists/m);
  const noPassword = await runSignetAsync(['ca', 'init', '--data-dir', tempDir()], { env: { SIGNET_CA_PASSWORD: '' } });
  assert.equal(noPassword.status, 1);
  assert.match(noPassword.stderr, /no CA key password/);
  assert.match(noPassword.stderr, /signet: hint: set SIGNET_CA_PASSWORD/);
});

test('ca serve without the password says how to give it', async () => {
  const r = await runSignetAsync(['ca', 'serve', '--data-dir', dataDir, '--port', '0'], {
    env: { SIGNET_CA_PASSWORD: '' },
  });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /encrypted and no password was given/);
});

test('sigstore-js FulcioSigner gets a certificate with an embedded SCT from signet ca serve', async () => {
  const token = await issuer.token({ sub: 'u1', email: 'alice@example.com', email_verified: true });
  const signer = new FulcioSigner({ fulcioBaseURL: server.url, identityProvider: { getToken: async () => token } });
  const sig = await signer.sign(Buffer.from('hello'));
  assert.equal(sig.key.$case, 'x509Certificate');
  const leaf = new X509Certificate((sig.key as { certificate: string }).certificate);
  assert.equal(leaf.subjectAltName, 'email:alice@example.com');
  assert.ok(leaf.raw.includes(Buffer.from('2b06010401d679020402', 'hex')), 'the SCT list extension is embedded');
  const bundle = (await (await fetch(`${server.url}/api/v2/trustBundle`)).json()) as {
    chains: { certificates: string[] }[];
  };
  const intermediate = new X509Certificate(bundle.chains[0].certificates[0]);
  assert.ok(leaf.verify(intermediate.publicKey));
});

test('ca serve on an empty data dir makes a CA, and --dev-oidc tokens get certificates', async () => {
  const fresh = await startSignet(['ca', 'serve', '--dev-oidc'], {
    env: { SIGNET_LOG_LEVEL: 'warn', SIGNET_CA_PASSWORD: '' },
    readyPath: '/api/v2/trustBundle',
  });
  try {
    assert.equal(statSync(join(fresh.dataDir, 'ca-password')).mode & 0o777, 0o600);
    const tok = await runSignetAsync(['oidc', 'token', '--email', 'dev@example.com', '--issuer', `${fresh.url}/oidc`]);
    assert.equal(tok.status, 0, tok.stderr);
    const signer = new FulcioSigner({
      fulcioBaseURL: fresh.url,
      identityProvider: { getToken: async () => tok.stdout.trim() },
    });
    const sig = await signer.sign(Buffer.from('hello'));
    const leaf = new X509Certificate((sig.key as { certificate: string }).certificate);
    assert.equal(leaf.subjectAltName, 'email:dev@example.com');
  } finally {
    await fresh.stop();
  }
});

test('a refused token reaches sigstore-js as Fulcio-shaped error', async () => {
  const token = await issuer.token({ sub: 'u1', email: 'alice@example.com', email_verified: true, aud: 'nope' });
  const res = await fetch(`${server.url}/api/v2/signingCert`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      credentials: { oidcIdentityToken: token },
      publicKeyRequest: { publicKey: { content: 'x' }, proofOfPossession: '' },
    }),
  });
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), { code: 3, message: 'token audience "nope" is not "sigstore"', details: [] });
  assert.ok(!server.output().includes(token), 'the token never reaches the log');
});

test('ca serve alone publishes its trust: its chain and CT log key verify what it issued, nothing else', async () => {
  const trusted = (await (await fetch(`${server.url}/trusted_root.json`)).json()) as {
    certificateAuthorities: { uri: string; certChain: { certificates: { rawBytes: string }[] } }[];
    ctlogs: { baseUrl: string; logId: { keyId: string } }[];
    tlogs: unknown[];
  };
  const bundleChain = (await (await fetch(`${server.url}/api/v2/trustBundle`)).json()) as {
    chains: { certificates: string[] }[];
  };
  const ders = bundleChain.chains[0].certificates.map((pem) => new X509Certificate(pem).raw.toString('base64'));
  assert.equal(trusted.certificateAuthorities.length, 1);
  assert.equal(trusted.certificateAuthorities[0].uri, server.url);
  assert.deepEqual(
    trusted.certificateAuthorities[0].certChain.certificates.map((c) => c.rawBytes),
    ders,
    'the chain of /api/v2/trustBundle',
  );
  assert.equal(trusted.ctlogs.length, 1);
  assert.equal(trusted.ctlogs[0].baseUrl, server.url);
  assert.deepEqual(trusted.tlogs, [], 'a CA alone holds no transparency log');
  const config = (await (await fetch(`${server.url}/signing_config.json`)).json()) as { caUrls: { url: string }[] };
  assert.deepEqual(
    config.caUrls.map((c) => c.url),
    [server.url],
  );

  // A certificate from this CA (its SCT from the built-in CT log) verifies with the published root alone.
  const work = tempDir();
  const artifact = join(work, 'a.txt');
  writeFileSync(artifact, 'signed with a CA run alone\n');
  const token = await issuer.token({ sub: 'u1', email: 'alice@example.com', email_verified: true });
  const bundle = join(work, 'a.sigstore.json');
  const signed = await runSignetAsync(
    [
      'sign-blob',
      '-y',
      '--fulcio-url',
      server.url,
      '--tlog-upload=false',
      '--identity-token',
      token,
      '--bundle',
      bundle,
      artifact,
    ],
    { env: { ...env, TUF_ROOT: join(work, 'tuf'), HOME: work } },
  );
  assert.equal(signed.status, 0, signed.stderr);
  const verify = (root: string) =>
    runSignetAsync(
      [
        'verify-blob',
        '--trusted-root',
        root,
        '--insecure-ignore-tlog',
        '--certificate-identity',
        'alice@example.com',
        '--certificate-oidc-issuer',
        issuer.url,
        '--bundle',
        bundle,
        artifact,
      ],
      { env: { ...env, TUF_ROOT: join(work, 'tuf'), HOME: work } },
    );
  const ok = await verify(`${server.url}/trusted_root.json`);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr + ok.stdout, /Verified OK/);
  // The SCT is checked against the published CT log key: without it the same root refuses the certificate.
  const noCt = join(work, 'no-ct.json');
  writeFileSync(noCt, JSON.stringify({ ...trusted, ctlogs: [] }));
  const sctRefused = await verify(noCt);
  assert.equal(sctRefused.status, 1, sctRefused.stdout);
  assert.match(sctRefused.stderr, /^signet: error: .*SCT/im);

  // Another CA's published root does not trust it.
  const other = await startSignet(['ca', 'serve', '--dev-oidc'], {
    env: { SIGNET_LOG_LEVEL: 'warn', SIGNET_CA_PASSWORD: '' },
    readyPath: '/trusted_root.json',
  });
  try {
    const refused = await verify(`${other.url}/trusted_root.json`);
    assert.equal(refused.status, 1, refused.stdout);
    assert.match(refused.stderr, /^signet: error: .*(chain|certificate|trusted)/im);
  } finally {
    await other.stop();
  }
});
