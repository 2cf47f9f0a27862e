import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, verify, X509Certificate } from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { dsse } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import '../ct/reflect-shim.js';
import * as x509 from '@peculiar/x509';
import { SignJWT } from 'jose';
import { preAuthEncoding, serializeBundle } from '../../src/bundle/index.js';
import { isSignetError } from '../../src/errors.js';
import {
  attestStatement,
  blobStatement,
  legacyBlobBundle,
  predicateFrom,
  proofOfPossessionChallenge,
  publicKeyHint,
  requestSigningCertificate,
  requireEmbeddedSct,
  servicesFromSigningConfig,
  signBlob,
  signerFromPrivateKey,
  type FetchLike,
} from '../../src/sign/index.js';
import { hashedRekordEntry } from '../../src/sign/tlog.js';

const emptyRoot = TrustedRoot.fromJSON({
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
});

/** @sigstore/verify with the signer's key as the only trust, no log: checks what the bundle itself says. */
function verifyWithKey(json: unknown, key: ReturnType<typeof createPublicKey>, artifact?: Buffer) {
  const material = toTrustMaterial(emptyRoot, (hint) => {
    assert.equal(hint, publicKeyHint(key));
    return { publicKey: key, validFor: () => true };
  });
  const verifier = new Verifier(material, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 });
  return verifier.verify(toSignedEntity(bundleFromJSON(json), artifact));
}

for (const [name, gen] of [
  ['P-256', () => generateKeyPairSync('ec', { namedCurve: 'P-256' })],
  ['P-384', () => generateKeyPairSync('ec', { namedCurve: 'P-384' })],
  ['RSA-2048', () => generateKeyPairSync('rsa', { modulusLength: 2048 })],
] as const) {
  test(`key-based sign-blob without the log (${name}): bundle v0.3 with a publicKey hint that sigstore-js verifies`, async () => {
    const { privateKey, publicKey } = gen();
    const artifact = Buffer.from(`hello ${name}`);
    const signed = await signBlob(artifact, signerFromPrivateKey(privateKey), { tlogUpload: false });
    const json = JSON.parse(serializeBundle(signed.bundle));
    assert.equal(json.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.deepEqual(json.verificationMaterial, { publicKey: { hint: publicKeyHint(publicKey) }, tlogEntries: [] });
    const alg = name === 'P-384' ? 'sha384' : 'sha256';
    assert.equal(json.messageSignature.messageDigest.digest, createHash(alg).update(artifact).digest('base64'));
    if (name === 'P-384') {
      // sigstore-go's key details: P-384 signs over SHA-384 and the bundle records that digest.
      assert.equal(json.messageSignature.messageDigest.algorithm, 'SHA2_384');
      const sig = Buffer.from(json.messageSignature.signature, 'base64');
      assert.ok(verify('sha384', artifact, publicKey, sig));
      return;
    }
    assert.equal(json.messageSignature.messageDigest.algorithm, 'SHA2_256');
    verifyWithKey(json, publicKey, artifact);
    assert.throws(() => verifyWithKey(json, publicKey, Buffer.from('tampered')));
  });
}

test('attest-blob: in-toto v1 statement in a DSSE envelope (PAE as sigstore-js computes it), verified by sigstore-js', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const artifact = Buffer.from('binary');
  const predicate = predicateFrom('https://slsa.dev/provenance/v1', Buffer.from('{"buildDefinition":{}}'));
  const statement = blobStatement('dir/app.bin', artifact, 'https://slsa.dev/provenance/v1', predicate);
  assert.deepEqual(statement.subject, [
    { name: 'app.bin', digest: { sha256: createHash('sha256').update(artifact).digest('hex') } },
  ]);
  assert.equal(statement._type, 'https://in-toto.io/Statement/v1');
  const signed = await attestStatement(statement, signerFromPrivateKey(privateKey), { tlogUpload: false });
  const env = signed.bundle.dsseEnvelope!;
  assert.equal(env.payloadType, 'application/vnd.in-toto+json');
  const payload = Buffer.from(env.payload, 'base64');
  assert.deepEqual(preAuthEncoding(env.payloadType, payload), dsse.preAuthEncoding(env.payloadType, payload));
  assert.ok(
    verify(
      'sha256',
      preAuthEncoding(env.payloadType, payload),
      publicKey,
      Buffer.from(env.signatures[0]!.sig, 'base64'),
    ),
  );
  verifyWithKey(JSON.parse(serializeBundle(signed.bundle)), publicKey);
});

test('predicates: custom wraps the text with a timestamp; typed predicates must be JSON objects', () => {
  const now = new Date('2026-01-02T03:04:05.678Z');
  assert.deepEqual(predicateFrom('https://cosign.sigstore.dev/attestation/v1', Buffer.from('free text'), now), {
    Data: 'free text',
    Timestamp: '2026-01-02T03:04:05Z',
  });
  assert.throws(() => predicateFrom('https://spdx.dev/Document', Buffer.from('nope')), /is not JSON/);
  assert.throws(() => predicateFrom('https://spdx.dev/Document', Buffer.from('[1]')), /must be a JSON object/);
});

test('tlog upload without a log URL is a clear error', async () => {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await assert.rejects(signBlob(Buffer.from('x'), signerFromPrivateKey(privateKey)), /no transparency log URL/);
});

test('old cosign bundle: base64 signature, base64 PEM, rekorBundle from the entry', () => {
  const entry = {
    logIndex: '7',
    logId: { keyId: Buffer.from('ab'.repeat(32), 'hex').toString('base64') },
    kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
    integratedTime: '1700000000',
    inclusionPromise: { signedEntryTimestamp: 'U0VU' },
    canonicalizedBody: 'Ym9keQ==',
  };
  assert.deepEqual(legacyBlobBundle(Buffer.from('sig'), 'PEM', entry), {
    base64Signature: 'c2ln',
    cert: 'UEVN',
    rekorBundle: {
      SignedEntryTimestamp: 'U0VU',
      Payload: { body: 'Ym9keQ==', integratedTime: 1700000000, logIndex: 7, logID: 'ab'.repeat(32) },
    },
  });
  assert.deepEqual(legacyBlobBundle(Buffer.from('sig'), 'PEM', undefined), { base64Signature: 'c2ln', cert: 'UEVN' });
});

test('signing config: the CA, Rekor v1 and OIDC URLs valid now, highest supported version, newest first', () => {
  const s = (url: string, v: number, start: string, end?: string) => ({
    url,
    majorApiVersion: v,
    validFor: end ? { start, end } : { start },
  });
  const found = servicesFromSigningConfig(
    {
      mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
      caUrls: [s('https://old-ca', 1, '2020-01-01T00:00:00Z'), s('https://ca/', 1, '2024-01-01T00:00:00Z')],
      rekorTlogUrls: [
        s('https://rekor-v2', 2, '2025-01-01T00:00:00Z'),
        s('https://ended', 1, '2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z'),
        s('https://rekor', 1, '2021-01-01T00:00:00Z'),
      ],
      oidcUrls: [s('https://oidc', 1, '2021-01-01T00:00:00Z')],
    },
    new Date('2026-01-01T00:00:00Z'),
  );
  assert.deepEqual(found, {
    fulcioUrl: 'https://ca',
    rekorUrl: 'https://rekor',
    rekorApiVersion: 1,
    tsaUrl: undefined,
    oidcIssuer: 'https://oidc',
  });
});

test('signing config with a TSA: Rekor v2 wins over v1 (highest version valid now) and the TSA is used', () => {
  const s = (url: string, v: number, start: string, end?: string) => ({
    url,
    majorApiVersion: v,
    validFor: end ? { start, end } : { start },
  });
  const base = {
    mediaType: 'application/vnd.dev.sigstore.signingconfig.v0.2+json',
    caUrls: [s('https://ca', 1, '2024-01-01T00:00:00Z')],
    tsaUrls: [
      s('https://tsa/api/v1/timestamp', 1, '2024-01-01T00:00:00Z'),
      s('https://tsa-v9', 9, '2024-01-01T00:00:00Z'),
    ],
    rekorTlogConfig: { selector: 'ANY' as const },
    tsaConfig: { selector: 'ANY' as const },
  };
  const now = new Date('2026-01-01T00:00:00Z');
  const rekorTlogUrls = [
    s('https://rekor', 1, '2025-06-01T00:00:00Z'),
    s('https://log2025', 2, '2025-01-01T00:00:00Z', '2025-12-01T00:00:00Z'),
    s('https://log2026', 2, '2025-11-01T00:00:00Z'),
    s('https://log-v3', 3, '2025-11-01T00:00:00Z'),
  ];
  const found = servicesFromSigningConfig({ ...base, rekorTlogUrls }, now);
  assert.equal(found.rekorUrl, 'https://log2026');
  assert.equal(found.rekorApiVersion, 2);
  assert.equal(found.tsaUrl, 'https://tsa/api/v1/timestamp');
  assert.throws(
    () => servicesFromSigningConfig({ ...base, rekorTlogUrls: rekorTlogUrls.slice(2, 3), tsaUrls: [] }, now),
    /only Rekor v2 logs but no timestamp authority/,
  );
  assert.throws(
    () => servicesFromSigningConfig({ ...base, rekorTlogUrls, rekorTlogConfig: { selector: 'ALL' } }, now),
    /selector ALL is not supported/,
  );
});

// A small CA for the Fulcio client tests: answers like Fulcio, with or without an SCT extension.
async function fakeFulcio(opts: { sct: boolean; status?: number; otherKey?: boolean }) {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
  const caKeys = await crypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  let request: { auth?: string; body?: any } = {};
  const fetchFn: FetchLike = async (_url, init) => {
    request = { auth: (init!.headers as Record<string, string>).authorization, body: JSON.parse(String(init!.body)) };
    if (opts.status) return new Response('{"code":16,"message":"invalid identity token"}', { status: opts.status });
    const pem = request.body.publicKeyRequest.publicKey.content;
    const subjectKey = opts.otherKey
      ? (await crypto.subtle.generateKey(alg, true, ['sign', 'verify'])).publicKey
      : await crypto.subtle.importKey('spki', createPublicKey(pem).export({ type: 'spki', format: 'der' }), alg, true, [
          'verify',
        ]);
    const extensions = opts.sct
      ? [new x509.Extension('1.3.6.1.4.1.11129.2.4.2', false, new Uint8Array([4, 6, 0, 4, 0, 2, 1, 2]))]
      : [];
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: '01',
      issuer: 'CN=fake',
      subject: '',
      notBefore: new Date(Date.now() - 1000),
      notAfter: new Date(Date.now() + 600_000),
      publicKey: subjectKey,
      signingKey: caKeys.privateKey,
      signingAlgorithm: alg,
      extensions,
    });
    const chain = { certificates: [leaf.toString('pem')] };
    const answer = opts.sct ? { signedCertificateEmbeddedSct: { chain } } : { signedCertificateDetachedSct: { chain } };
    return new Response(JSON.stringify(answer), { status: 201 });
  };
  return { fetchFn, request: () => request };
}

async function jwt(claims: Record<string, unknown>) {
  const key = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign']);
  return new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).sign(key.privateKey);
}

test('fulcio client: proof of possession over the email (else sub), bearer token, the leaf for our key with an SCT', async () => {
  const token = await jwt({ sub: 'user-123', email: 'eve@example.com' });
  assert.equal(proofOfPossessionChallenge(token), 'eve@example.com');
  assert.equal(proofOfPossessionChallenge(await jwt({ sub: 'repo:x/y' })), 'repo:x/y');
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ca = await fakeFulcio({ sct: true });
  const issued = await requestSigningCertificate('http://ca.test/', token, key, { fetch: ca.fetchFn });
  const { auth, body } = ca.request();
  assert.equal(auth, `Bearer ${token}`);
  assert.equal(body.credentials.oidcIdentityToken, token);
  assert.equal(body.publicKeyRequest.publicKey.algorithm, 'ECDSA');
  const pop = Buffer.from(body.publicKeyRequest.proofOfPossession, 'base64');
  assert.ok(verify('sha256', Buffer.from('eve@example.com'), key.publicKey, pop));
  assert.ok(issued.leaf instanceof X509Certificate);
  requireEmbeddedSct(issued);
});

test('fulcio client: HTTP errors, a missing SCT and a certificate for another key are refused in one line', async () => {
  const token = await jwt({ sub: 's', email: 'e@example.com' });
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await assert.rejects(
    requestSigningCertificate('http://ca.test', token, key, {
      fetch: (await fakeFulcio({ sct: true, status: 401 })).fetchFn,
    }),
    (e) => isSignetError(e, 'unauthenticated') && e.message === 'fulcio answered 401: invalid identity token',
  );
  const noSct = await requestSigningCertificate('http://ca.test', token, key, {
    fetch: (await fakeFulcio({ sct: false })).fetchFn,
  });
  assert.throws(() => requireEmbeddedSct(noSct), /no embedded SCT/);
  await assert.rejects(
    requestSigningCertificate('http://ca.test', token, key, {
      fetch: (await fakeFulcio({ sct: true, otherKey: true })).fetchFn,
    }),
    /different key/,
  );
  await assert.rejects(
    requestSigningCertificate('http://127.0.0.1:1', token, key),
    (e) => isSignetError(e, 'pushback') && /^fulcio: cannot reach http:\/\/127\.0\.0\.1:1/.test(e.message),
  );
  await assert.rejects(requestSigningCertificate('http://ca.test', 'not-a-jwt', key), /not a JWT/);
});

test('fulcio client: 429 and 5xx answers are retried with back-off, 4xx are not', async () => {
  const token = await jwt({ sub: 's', email: 'r@example.com' });
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ca = await fakeFulcio({ sct: true });
  const answers = [503, 429];
  let calls = 0;
  const flaky: FetchLike = async (url, init) => {
    calls++;
    const status = answers.shift();
    return status ? new Response('{"message":"busy"}', { status }) : ca.fetchFn(url, init);
  };
  await requestSigningCertificate('http://ca.test', token, key, { fetch: flaky, retryDelayMs: 1 });
  assert.equal(calls, 3);
  calls = 0;
  const rejecting: FetchLike = async () => (calls++, new Response('{"message":"bad key"}', { status: 400 }));
  await assert.rejects(
    requestSigningCertificate('http://ca.test', token, key, { fetch: rejecting, retryDelayMs: 1 }),
    /fulcio answered 400: bad key/,
  );
  assert.equal(calls, 1);
  const down: FetchLike = async () => (calls++, new Response('oops', { status: 502 }));
  calls = 0;
  await assert.rejects(
    requestSigningCertificate('http://ca.test', token, key, { fetch: down, retryDelayMs: 1 }),
    (e) => isSignetError(e, 'pushback') && e.message === 'fulcio answered 502: oops',
  );
  assert.equal(calls, 3);
});

test('hashedrekord entries carry the signature exactly, whatever its bytes look like', () => {
  const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const startsWithZero = Buffer.concat([Buffer.from([0xd0]), Buffer.alloc(63, 7)]); // base64 text starts with '0'
  const looksLikeBase64 = Buffer.from('QUJDRA=='.repeat(8)); // raw bytes that are base64 text
  for (const sig of [startsWithZero, looksLikeBase64]) {
    const entry = hashedRekordEntry('sha512', 'ab'.repeat(64), sig, pem) as any;
    assert.equal(entry.spec.signature.content, sig.toString('base64'));
    assert.deepEqual(entry.spec.data.hash, { algorithm: 'sha512', value: 'ab'.repeat(64) });
    assert.equal(Buffer.from(entry.spec.signature.publicKey.content, 'base64').toString(), pem);
  }
});
