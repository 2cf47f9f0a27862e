import { rmSync } from 'node:fs';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify, X509Certificate } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { SigningConfig, TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { sign } from 'sigstore';
import { openNote, rekorV2KeyId, rekorV2NoteVerifier } from '../../src/note/index.js';
import { runSignetAsync, startSignet, type RunningStack } from '../helpers/process.js';

const env = { SIGNET_LOG_LEVEL: 'warn' };
let stack: RunningStack;
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
  assert.equal(material.tlogs.length, 2);
  assert.equal(material.ctlogs.length, 1);
  assert.equal(material.certificateAuthorities.length, 1);
  assert.equal(root.tlogs[0].baseUrl, stack.url);

  // The tlog key is the one the log serves.
  const pem = await (await fetch(`${stack.url}/api/v1/log/publicKey`)).text();
  assert.equal(
    createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64'),
    root.tlogs[0].publicKey.rawBytes,
  );

  // The Rekor v2 log: same base URL, Ed25519 key, logId = the C2SP key ID its checkpoints are signed under.
  const v2 = root.tlogs[1];
  assert.equal(v2.baseUrl, stack.url);
  assert.equal(v2.publicKey.keyDetails, 'PKIX_ED25519');
  const v2Key = createPublicKey({ key: Buffer.from(v2.publicKey.rawBytes, 'base64'), format: 'der', type: 'spki' });
  const origin = new URL(stack.url).host;
  assert.equal(v2.logId.keyId, rekorV2KeyId(origin, v2Key).toString('base64'));
  const checkpoint = await (await fetch(`${stack.url}/api/v2/checkpoint`)).text();
  assert.match(openNote(checkpoint, [rekorV2NoteVerifier(origin, v2Key)]).text, new RegExp(`^${origin}\n0\n`));

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
  // Rekor v2 (with the TSA beside it) first, then v1: same base URL, different API.
  assert.deepEqual(
    config.rekorTlogUrls.map((s) => [s.url, s.majorApiVersion]),
    [
      [stack.url, 2],
      [stack.url, 1],
    ],
  );
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
