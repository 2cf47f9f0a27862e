import { rmSync } from 'node:fs';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { SigningConfig, TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { sign } from 'sigstore';
import { runSignetAsync, startSignet, type RunningStack } from '../helpers/process.js';

const env = { SIGNET_LOG_LEVEL: 'warn' };
let stack: RunningStack;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;
const get = async (path: string): Promise<Json> => {
  const res = await fetch(stack.url + path);
  assert.equal(res.status, 200, path);
  return (await res.json()) as Json;
};

before(async () => {
  stack = await startSignet(['up'], { env, readyPath: '/trusted_root.json' });
});
after(async () => {
  await stack?.stop();
  if (stack) rmSync(stack.dataDir, { recursive: true, force: true });
});

test('trusted_root.json loads in sigstore-js and matches what each service serves', async () => {
  const root = await get('/trusted_root.json');
  const material = toTrustMaterial(TrustedRoot.fromJSON(root));
  assert.equal(material.tlogs.length, 1);
  assert.equal(material.ctlogs.length, 1);
  assert.equal(material.certificateAuthorities.length, 1);
  assert.equal(root.tlogs[0].baseUrl, stack.url);

  // The tlog key is the one the log serves.
  const pem = await (await fetch(`${stack.url}/api/v1/log/publicKey`)).text();
  assert.equal(
    createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64'),
    root.tlogs[0].publicKey.rawBytes,
  );

  // The CA chain is the one the CA serves (intermediate, then root).
  const bundle = await get('/api/v2/trustBundle');
  const chainDer = bundle.chains[0].certificates.map((p: string) => new X509Certificate(p).raw.toString('base64'));
  assert.deepEqual(
    root.certificateAuthorities[0].certChain.certificates.map((c: Json) => c.rawBytes),
    chainDer,
  );

  // The CT log key signs the CT log's tree head, and get-roots is the CA root.
  const ctKey = createPublicKey({
    key: Buffer.from(root.ctlogs[0].publicKey.rawBytes, 'base64'),
    format: 'der',
    type: 'spki',
  });
  const sth = await get('/ct/v1/get-sth');
  const tbs = Buffer.alloc(50);
  tbs[1] = 1;
  tbs.writeBigUInt64BE(BigInt(sth.timestamp), 2);
  tbs.writeBigUInt64BE(BigInt(sth.tree_size), 10);
  Buffer.from(sth.sha256_root_hash, 'base64').copy(tbs, 18);
  assert.ok(verify('sha256', tbs, ctKey, Buffer.from(sth.tree_head_signature, 'base64').subarray(4)));
  assert.deepEqual((await get('/ct/v1/get-roots')).certificates, chainDer.slice(-1));
});

test('signing_config.json names the stack services and parses as v0.2', async () => {
  const sc = await get('/signing_config.json');
  const config = SigningConfig.fromJSON(sc);
  assert.equal(sc.mediaType, 'application/vnd.dev.sigstore.signingconfig.v0.2+json');
  assert.equal(config.caUrls[0]!.url, stack.url);
  assert.equal(config.oidcUrls[0]!.url, `${stack.url}/oidc`);
  assert.equal(config.rekorTlogUrls[0]!.url, stack.url);
  assert.equal(config.rekorTlogUrls[0]!.majorApiVersion, 1);
});

test('keyless signing with sigstore-js against the stack verifies with the served trusted root', async () => {
  const token = await runSignetAsync([
    'oidc',
    'token',
    '--email',
    'alice@example.com',
    '--issuer',
    `${stack.url}/oidc`,
  ]);
  assert.equal(token.status, 0, token.stderr);
  const payload = Buffer.from('signed with a local signet stack');
  const serialized = await sign(payload, {
    fulcioURL: stack.url,
    rekorURL: stack.url,
    identityToken: token.stdout.trim(),
  });
  const material = toTrustMaterial(TrustedRoot.fromJSON(await get('/trusted_root.json')));
  const verifier = new Verifier(material, { ctlogThreshold: 1, tlogThreshold: 1 });
  const signer = verifier.verify(toSignedEntity(bundleFromJSON(serialized), payload), {
    subjectAlternativeName: 'alice@example.com',
    extensions: { issuer: `${stack.url}/oidc` },
  });
  assert.equal(signer.identity?.subjectAlternativeName, 'alice@example.com');
});

test('bad input to the CT log on the live stack: 400 JSON, and it keeps serving', async () => {
  for (const body of ['{"chain":["!!!"]}', '{"chain":["AAAA"]}', '{"chain":[]}', '{}', 'nope']) {
    const res = await fetch(`${stack.url}/ct/v1/add-pre-chain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    assert.equal(res.status, 400, body);
    assert.equal(typeof ((await res.json()) as Json).message, 'string');
  }
  assert.equal((await fetch(`${stack.url}/ct/v1/get-entries?start=x&end=1`)).status, 400);
  assert.equal((await fetch(`${stack.url}/trusted_root.json`)).status, 200);
});
