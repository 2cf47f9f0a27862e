import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { rmSync } from 'node:fs';
import { SigningConfig, TrustedRoot } from '@sigstore/protobuf-specs';
import { X509Certificate as SigstoreCert } from '@sigstore/core';
import { bundleBuilderFromSigningConfig } from '@sigstore/sign';
import { toTrustMaterial } from '@sigstore/verify';
import { verifySCTs } from '@sigstore/verify/dist/key/sct.js';
import Fastify from 'fastify';
import pino from 'pino';
import { createCtLog } from '../../src/ct/index.js';
import { serializeSctList } from '../../src/encoding/index.js';
import { keyDetails } from '../../src/crypto/index.js';
import { createTrustService, type TrustInputs } from '../../src/stack/trust.js';
import { makeLeaf, makePki, newKeyPair } from '../ct/pki.js';
import { tempDir } from '../helpers/process.js';

const publicUrl = 'http://127.0.0.1:3000';

test('trusted_root.json and signing_config.json load in sigstore-js and carry the stack trust material', async (t) => {
  const dataDir = tempDir();
  const pki = await makePki();
  const ct = await createCtLog({ dataDir, publicUrl, logger: pino({ level: 'silent' }), roots: () => [pki.root] });
  const app = Fastify();
  t.after(async () => {
    await app.close();
    await ct.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const tlogKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
  const started = new Date(Date.now() - 3600_000);
  const inputs: TrustInputs = {
    tlogs: [{ baseUrl: publicUrl, publicKey: tlogKey, validFrom: started }],
    ctlogs: [{ baseUrl: ct.baseUrl, publicKey: ct.publicKey, validFrom: ct.createdAt }],
    certificateAuthorities: [{ certChainDer: [pki.intermediate, pki.root], validFrom: started, uri: publicUrl }],
    oidcUrls: [{ url: `${publicUrl}/oidc`, validFrom: started }],
  };
  const trust = createTrustService(() => inputs);
  await trust.register(app);

  const res = await app.inject('/trusted_root.json');
  assert.equal(res.statusCode, 200);
  assert.match(res.headers['content-type'] as string, /application\/json/);
  const json = res.json();
  assert.equal(json.mediaType, 'application/vnd.dev.sigstore.trustedroot+json;version=0.1');
  assert.equal(json.ctlogs[0].logId.keyId, ct.logId.toString('base64'));
  assert.equal(json.tlogs[0].publicKey.keyDetails, 'PKIX_ECDSA_P256_SHA_256');
  assert.equal(json.certificateAuthorities[0].certChain.certificates.length, 2);
  assert.match(json.tlogs[0].publicKey.validFor.start, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  const parsed = TrustedRoot.fromJSON(json);
  const material = toTrustMaterial(parsed);
  assert.equal(material.tlogs.length, 1);
  assert.equal(material.ctlogs.length, 1);
  assert.equal(material.certificateAuthorities.length, 1);
  assert.deepEqual(Buffer.from(material.ctlogs[0]!.logID), ct.logId);

  // An SCT from the CT log verifies through the trust material as served.
  const leafKey = (await newKeyPair()).publicKey;
  const now = Math.floor(Date.now() / 1000) * 1000;
  const validity: [Date, Date] = [new Date(now - 1000), new Date(now + 600_000)];
  const precert = await makeLeaf(pki, { poison: true, leafKey, validity });
  const sct = await ct.addPreChain([precert, pki.intermediate, pki.root]);
  const final = await makeLeaf(pki, { sctList: serializeSctList([sct]), leafKey, validity });
  const ids = verifySCTs(
    SigstoreCert.parse(Buffer.from(final)),
    SigstoreCert.parse(Buffer.from(pki.intermediate)),
    material.ctlogs,
  );
  assert.equal(ids.length, 1);

  const sc = (await app.inject('/signing_config.json')).json();
  assert.equal(sc.mediaType, 'application/vnd.dev.sigstore.signingconfig.v0.2+json');
  assert.deepEqual(sc.rekorTlogConfig, { selector: 'ANY' });
  assert.equal(sc.caUrls[0].url, publicUrl);
  assert.equal(sc.oidcUrls[0].url, `${publicUrl}/oidc`);
  const config = SigningConfig.fromJSON(sc);
  assert.equal(config.rekorTlogUrls[0]!.majorApiVersion, 1);
  // sigstore-js builds a signer (CA + Rekor witness) from it without complaint.
  const builder = bundleBuilderFromSigningConfig({
    signingConfig: config,
    identityProvider: { getToken: async () => 'unused' },
    bundleType: 'messageSignature',
  });
  assert.ok(builder);
});

test('key details for the key types a log may use', () => {
  assert.equal(keyDetails(generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey), 'PKIX_ECDSA_P384_SHA_384');
  assert.equal(keyDetails(generateKeyPairSync('ed25519').publicKey), 'PKIX_ED25519');
  assert.equal(
    keyDetails(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey),
    'PKIX_RSA_PKCS1V15_2048_SHA256',
  );
  assert.throws(() => keyDetails(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey));
});
