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
