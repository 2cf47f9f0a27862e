import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SignedData } from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  MessageImprint,
  PKIFreeText,
  PKIStatus,
  PKIStatusInfo,
  TimeStampReq,
  TimeStampResp,
  TSTInfo,
} from '@peculiar/asn1-tsp';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { parseTrustedRoot } from '../../src/bundle/index.js';
import { createCaMaterial } from '../../src/ca/certificate/ca-certs.js';
import { isSignetError } from '../../src/errors.js';
import { buildTrustedRoot } from '../../src/stack/trust.js';
import { requestTimestamp, timeStampReq } from '../../src/tsa-client/index.js';
import { ensureTsaSigner, loadTsaSigner, TSA_FILES, type TsaService } from '../../src/tsa/index.js';
import { trustMaterial, verifyRfc3161Timestamp } from '../../src/verify/index.js';
import { derQuery, randomSignature, tsaApp } from './helpers.js';

function parseReply(der: Buffer) {
  const resp = AsnConvert.parse(der, TimeStampResp);
  assert.equal(resp.status.status, PKIStatus.granted);
  const signed = AsnConvert.parse(resp.timeStampToken!.content, SignedData);
  const tstDer = Buffer.from(signed.encapContentInfo.eContent!.single!.buffer);
  const info = AsnConvert.parse(tstDer, TSTInfo);
  // The reply is spliced by hand (src/tsa/der.ts): re-encoding the parsed structures must give the same bytes.
  assert.deepEqual(Buffer.from(AsnConvert.serialize(info)), tstDer, 'TSTInfo is canonical DER');
  assert.deepEqual(Buffer.from(AsnConvert.serialize(signed)), Buffer.from(resp.timeStampToken!.content), 'SignedData');
  assert.deepEqual(Buffer.from(AsnConvert.serialize(resp)), der, 'TimeStampResp is canonical DER');
  return { signed, info };
}

/** signet's verifier, trusting the TSA as trusted_root.json lists it. */
function verifyWithTrustedRoot(tsa: TsaService, der: Buffer, signature: Buffer): Date {
  const root = buildTrustedRoot({
    tlogs: [],
    ctlogs: [],
    certificateAuthorities: [],
    oidcUrls: [],
    timestampAuthorities: [tsa.trust()],
  });
  const material = trustMaterial(parseTrustedRoot(JSON.parse(JSON.stringify(root))));
  return verifyRfc3161Timestamp(der, signature, material.timestampAuthorities);
}

test('a DER query gets a granted token: nonce echoed, default policy, 1 s accuracy, leaf on certReq', async () => {
  const { app, tsa } = await tsaApp();
  const signature = randomSignature();
  const nonce = Buffer.from('00ff0102030405060708', 'hex');
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/timestamp',
    headers: { 'content-type': 'application/timestamp-query' },
    payload: derQuery(signature, { nonce, certReq: true }),
  });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/timestamp-reply');
  const der = res.rawPayload;
  const { signed, info } = parseReply(der);
  assert.equal(info.policy, '1.3.6.1.4.1.57264.2');
  assert.deepEqual(Buffer.from(info.nonce!), nonce);
  assert.equal(info.accuracy?.seconds, 1);
  assert.equal(info.genTime.getUTCMilliseconds(), 0);
  assert.equal(Buffer.from(info.serialNumber).length, 20);
  assert.equal(signed.version, 3);
  assert.equal(signed.certificates?.length, 1);
  assert.ok(signed.signerInfos[0]!.sid.issuerAndSerialNumber, 'signer identified by issuer and serial');
  const attrs = signed.signerInfos[0]!.signedAttrs!.map((a) => a.attrType).sort();
  assert.deepEqual(attrs, ['1.2.840.113549.1.9.16.2.47', '1.2.840.113549.1.9.3', '1.2.840.113549.1.9.4']);
  const time = verifyWithTrustedRoot(tsa, der, signature);
  assert.ok(Math.abs(time.getTime() - Date.now()) < 5000);
  assert.throws(() => verifyWithTrustedRoot(tsa, der, randomSignature()), /not over/);
  await app.close();
});

test('SHA-384 and SHA-512 imprints; without certReq the token carries no certificate', async () => {
  const { app, tsa } = await tsaApp();
  for (const hash of ['sha384', 'sha512'] as const) {
    const signature = randomSignature();
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/timestamp',
      headers: { 'content-type': 'application/timestamp-query; charset=binary' },
      payload: derQuery(signature, { hash }),
    });
    assert.equal(res.statusCode, 200, res.body);
    const { signed, info } = parseReply(res.rawPayload);
    assert.equal(signed.certificates, undefined);
    assert.equal(info.nonce, undefined);
    assert.deepEqual(
      Buffer.from(info.messageImprint.hashedMessage.buffer),
      createHash(hash).update(signature).digest(),
    );
    verifyWithTrustedRoot(tsa, res.rawPayload, signature);
  }
  await app.close();
});

test('the JSON form (sigstore-js): base64 digest, certificates, nonce, policy', async () => {
  const { app, tsa } = await tsaApp({ policies: ['1.3.6.1.4.1.57264.2', '1.2.3.4'] });
  const signature = randomSignature();
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/timestamp',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({
      artifactHash: createHash('sha256').update(signature).digest('base64'),
      hashAlgorithm: 'SHA256',
      certificates: true,
      nonce: 1234567,
      tsaPolicyOID: '1.2.3.4',
    }),
  });
  assert.equal(res.statusCode, 200, res.body);
  const { signed, info } = parseReply(res.rawPayload);
  assert.equal(info.policy, '1.2.3.4');
  assert.equal(Buffer.from(info.nonce!).readUIntBE(0, info.nonce!.byteLength), 1234567);
  assert.equal(signed.certificates?.length, 1);
  verifyWithTrustedRoot(tsa, res.rawPayload, signature);

  const refused = await app.inject({
    method: 'POST',
    url: '/api/v1/timestamp',
    headers: { 'content-type': 'application/timestamp-query' },
    payload: derQuery(signature, { policy: '1.2.3.5' }),
  });
  assert.equal(refused.statusCode, 400);
  assert.match(refused.json().message, /unaccepted policy/);
  await app.close();
});

test('certchain: PEM, leaf (EKU timeStamping, critical) first, root last, cached a day', async () => {
  const { app, tsa } = await tsaApp();
  const res = await app.inject({ method: 'GET', url: '/api/v1/timestamp/certchain' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['content-type'], 'application/pem-certificate-chain');
  assert.equal(res.headers['cache-control'], 'max-age=86400, immutable');
  const pems = res.body.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)!;
  assert.equal(pems.length, 2);
  const [leaf, root] = tsa.signer.chain;
  assert.equal(pems[0]!.trim(), leaf!.toString().trim());
  assert.equal(pems[1]!.trim(), root!.toString().trim());
  assert.deepEqual(leaf!.keyUsage, ['1.3.6.1.5.5.7.3.8']);
  assert.equal(leaf!.ca, false);
  assert.ok(root!.ca && root!.verify(root!.publicKey));
  assert.equal(tsa.trust().uri, 'http://127.0.0.1:1/api/v1/timestamp');
  await app.close();
});

test('the key is made once, encrypted at rest, 0600; a wrong password or a non-TSA chain is refused', async () => {
  const { app, tsa, dataDir } = await tsaApp();
  await app.close();
  const keyPem = readFileSync(join(dataDir, TSA_FILES.key), 'utf8');
  assert.match(keyPem, /BEGIN ENCRYPTED PRIVATE KEY/);
  assert.equal(statSync(join(dataDir, TSA_FILES.key)).mode & 0o777, 0o600);
  assert.equal(statSync(join(dataDir, TSA_FILES.generatedPassword)).mode & 0o777, 0o600);
  const again = ensureTsaSigner(dataDir);
  assert.ok(again.chain[0]!.raw.equals(tsa.signer.chain[0]!.raw));
  assert.throws(
    () => ensureTsaSigner(dataDir, 'wrong-password'),
    (e) => isSignetError(e, 'invalid-input'),
  );
  // A CA chain (intermediate + root) is not a TSA chain.
  const ca = createCaMaterial();
  const caPem = [ca.intermediateDer, ca.rootDer]
    .map((d) => `-----BEGIN CERTIFICATE-----\n${d.toString('base64')}\n-----END CERTIFICATE-----\n`)
    .join('');
  const caKey = ca.intermediateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
  assert.throws(() => loadTsaSigner(caPem, caKey), /must not be a CA/);
});

test('requestTimestamp: DER query with a nonce over real HTTP, checks the reply, bare origin allowed', async () => {
  const { app, tsa } = await tsaApp();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const origin = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  try {
    const signature = randomSignature();
    const der = await requestTimestamp(`${origin}/api/v1/timestamp`, signature);
    verifyWithTrustedRoot(tsa, der, signature);
    const viaOrigin = await requestTimestamp(origin, signature, { hashAlgorithm: 'sha512', certReq: true });
    assert.equal(parseReply(viaOrigin).signed.certificates?.length, 1);
    // A reply to another request (a replay) fails the nonce check.
    const replayed = await requestTimestamp(origin, signature);
    await assert.rejects(requestTimestamp(origin, signature, { fetch: async () => new Response(replayed) }), /nonce/);
    await assert.rejects(
      requestTimestamp(origin, signature, { fetch: async () => new Response(Buffer.from('garbage')) }),
      /not an RFC 3161/,
    );
    await assert.rejects(requestTimestamp(`${origin}/nowhere`, signature), /answered 404/);
    await assert.rejects(requestTimestamp('ftp://x', signature), /http or https/);
    await assert.rejects(
      requestTimestamp('http://127.0.0.1:1/api/v1/timestamp', signature, { retries: 0 }),
      /cannot reach/,
    );
  } finally {
    await app.close();
  }
});

test('requestTimestamp: the DER query is what @peculiar/asn1-tsp writes; a refusal is reported with its text', async () => {
  const digest = createHash('sha256').update('x').digest();
  const nonce = Buffer.from('1122334455667788', 'hex');
  for (const certReq of [false, true]) {
    const oracle = new TimeStampReq({
      version: 1,
      messageImprint: new MessageImprint({
        hashAlgorithm: new AlgorithmIdentifier({ algorithm: '2.16.840.1.101.3.4.2.1' }),
        hashedMessage: new OctetString(digest),
      }),
      nonce: new Uint8Array(nonce).buffer,
      certReq,
    });
    assert.deepEqual(
      timeStampReq('2.16.840.1.101.3.4.2.1', digest, nonce, certReq),
      Buffer.from(AsnConvert.serialize(oracle)),
    );
  }
  const refusal = new TimeStampResp({
    status: new PKIStatusInfo({ status: PKIStatus.rejection, statusString: new PKIFreeText(['bad', 'policy']) }),
  });
  const reply = Buffer.from(AsnConvert.serialize(refusal));
  await assert.rejects(
    requestTimestamp('http://tsa.test', randomSignature(), { fetch: async () => new Response(reply) }),
    /refused the request \(status 2\) bad policy/,
  );
});

test('requestTimestamp: a mutated or random reply is refused with a verification error, never a crash', async () => {
  const { app } = await tsaApp();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const origin = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  try {
    const signature = randomSignature();
    const good = await requestTimestamp(origin, signature);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
          fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })).map(([at, byte]) => {
            const copy = Buffer.from(good);
            copy[at] = byte;
            return copy;
          }),
        ),
        async (reply) => {
          // Each reply answers a request with a fresh nonce: none may pass.
          await assert.rejects(requestTimestamp(origin, signature, { fetch: async () => new Response(reply) }), (e) =>
            isSignetError(e, 'verification-failed'),
          );
        },
      ),
      { numRuns: 300 },
    );
  } finally {
    await app.close();
  }
});
