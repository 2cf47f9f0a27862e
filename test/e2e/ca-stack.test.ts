import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as signRaw, X509Certificate } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFromJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { PolicyError, toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { sign } from 'sigstore';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';

const env = { SIGNET_LOG_LEVEL: 'warn' };
let stack: RunningStack;
let dataDir: string;

before(async () => {
  dataDir = tempDir();
  stack = await startSignet(['up'], { env, dataDir, readyPath: '/trusted_root.json' });
});
after(() => stack?.stop());

async function devToken(email: string): Promise<string> {
  const r = await runSignetAsync(['oidc', 'token', '--email', email, '--issuer', `${stack.url}/oidc`]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('signet up: sigstore-js signs through the CA and @sigstore/verify enforces the identity policy', async () => {
  const payload = Buffer.from('artifact signed through the signet CA');
  const serialized = await sign(payload, {
    fulcioURL: stack.url,
    rekorURL: stack.url,
    identityToken: await devToken('alice@example.com'),
  });
  const bundle = bundleFromJSON(serialized);
  const trustedRoot = TrustedRoot.fromJSON(await (await fetch(`${stack.url}/trusted_root.json`)).json());
  const verifier = new Verifier(toTrustMaterial(trustedRoot), { ctlogThreshold: 1, tlogThreshold: 1 });
  const entity = toSignedEntity(bundle, payload);
  const signer = verifier.verify(entity, {
    subjectAlternativeName: 'alice@example.com',
    extensions: { issuer: `${stack.url}/oidc` },
  });
  assert.equal(signer.identity?.subjectAlternativeName, 'alice@example.com');
  assert.throws(() => verifier.verify(entity, { subjectAlternativeName: 'mallory@example.com' }), PolicyError);
  assert.throws(
    () =>
      verifier.verify(entity, {
        subjectAlternativeName: 'alice@example.com',
        extensions: { issuer: 'https://accounts.google.com' },
      }),
    PolicyError,
  );
});

test('signet up: the CA trusts the dev provider, serves v1 and v2, and keeps its generated password 0600', async () => {
  const config = (await (await fetch(`${stack.url}/api/v2/configuration`)).json()) as {
    issuers: { issuerUrl: string }[];
  };
  assert.deepEqual(
    config.issuers.map((i: { issuerUrl: string }) => i.issuerUrl),
    [`${stack.url}/oidc`, `${stack.url}/oidc/github`, `${stack.url}/oidc/gitlab`],
  );
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const res = await fetch(`${stack.url}/api/v1/signingCert`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await devToken('bob@example.com')}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      publicKey: { algorithm: 'ecdsa', content: publicKey.export({ format: 'der', type: 'spki' }).toString('base64') },
      signedEmailAddress: signRaw('sha384', Buffer.from('bob@example.com'), privateKey).toString('base64'),
    }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const leaf = new X509Certificate((await res.text()).split(/(?=-----BEGIN CERTIFICATE-----)/)[0]!);
  assert.equal(leaf.subjectAltName, 'email:bob@example.com');
  assert.equal(statSync(join(dataDir, 'ca', 'ca-password')).mode & 0o777, 0o600);
  assert.equal(statSync(join(dataDir, 'ca', 'ca-intermediate-key.pem')).mode & 0o777, 0o600);
});

test('signet up: a restart reuses the same CA', async () => {
  const before = await (await fetch(`${stack.url}/api/v2/trustBundle`)).json();
  await stack.stop();
  stack = await startSignet(['up'], { env, dataDir, readyPath: '/trusted_root.json' });
  const after = await (await fetch(`${stack.url}/api/v2/trustBundle`)).json();
  assert.deepEqual(after, before);
});
