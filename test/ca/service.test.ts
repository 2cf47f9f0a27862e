import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { requireProgram } from '../helpers/env.js';
import { tempDir } from '../helpers/process.js';
import { startTestCa, startTestIssuer, keyAndProof, v2Body, type TestCa, type TestIssuer } from './fixtures.js';

let email: TestIssuer;
let github: TestIssuer;
let gitlab: TestIssuer;
let spiffe: TestIssuer;
let uri: TestIssuer;
let username: TestIssuer;
let k8s: TestIssuer;
let tenant: TestIssuer;
let ca: TestCa;

before(async () => {
  [email, github, gitlab, spiffe, uri, username, k8s, tenant] = await Promise.all([
    startTestIssuer(),
    startTestIssuer(),
    startTestIssuer(),
    startTestIssuer(),
    startTestIssuer(),
    startTestIssuer(),
    startTestIssuer(),
    startTestIssuer('/tenant/acme-1'),
  ]);
  const base = tenant.url.replace('/tenant/acme-1', '');
  ca = await startTestCa({
    OIDCIssuers: {
      [email.url]: { IssuerURL: email.url, ClientID: 'sigstore', Type: 'email' },
      [github.url]: { IssuerURL: github.url, ClientID: 'sigstore', Type: 'ci-provider', CIProvider: 'github-workflow' },
      [gitlab.url]: { IssuerURL: gitlab.url, ClientID: 'sigstore', Type: 'ci-provider', CIProvider: 'gitlab-pipeline' },
      [spiffe.url]: { IssuerURL: spiffe.url, ClientID: 'sigstore', Type: 'spiffe', SPIFFETrustDomain: 'example.org' },
      [uri.url]: { IssuerURL: uri.url, ClientID: 'sigstore', Type: 'uri', SubjectDomain: 'https://example.com' },
      [username.url]: { IssuerURL: username.url, ClientID: 'sigstore', Type: 'username', SubjectDomain: 'example.com' },
      [k8s.url]: { IssuerURL: k8s.url, ClientID: 'sigstore', Type: 'kubernetes' },
    },
    MetaIssuers: {
      [`${base}/tenant/*`]: { ClientID: 'sigstore', Type: 'email' },
      'https://oidc.example.com/id/*': { ClientID: 'sigstore', Type: 'kubernetes' },
    },
  });
});

after(async () => {
  await ca.close();
  await Promise.all([email, github, gitlab, spiffe, uri, username, k8s, tenant].map((i) => i.close()));
});

async function issue(token: string, subject: string, type: Parameters<typeof keyAndProof>[1] = 'p256') {
  const { pem, proof } = keyAndProof(subject, type);
  return ca.app.inject({ method: 'POST', url: '/api/v2/signingCert', payload: v2Body(token, pem, proof) });
}

function leafOf(res: { json(): any }): X509Certificate {
  const certs = res.json().signedCertificateDetachedSct.chain.certificates as string[];
  assert.equal(certs.length, 3);
  return new X509Certificate(certs[0]!);
}

function extValue(cert: X509Certificate, oid: string): Buffer | undefined {
  // Finds the extension's extnValue by walking the DER for the OID bytes (tests only; the CA uses asn1 types).
  const der = cert.raw;
  const parts = oid.split('.').map(Number);
  const body: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const bytes = [p & 0x7f];
    for (let v = p >> 7; v > 0; v >>= 7) bytes.unshift((v & 0x7f) | 0x80);
    body.push(...bytes);
  }
  const needle = Buffer.from([0x06, body.length, ...body]);
  const at = der.indexOf(needle);
  if (at < 0) return undefined;
  let i = at + needle.length;
  if (der[i] === 0x01) i += 3; // critical BOOLEAN
  assert.equal(der[i], 0x04);
  const len = der[i + 1]!;
  return len < 0x80 ? der.subarray(i + 2, i + 2 + len) : der.subarray(i + 3, i + 3 + der[i + 2]!);
}

const utf8 = (s: string) => Buffer.concat([Buffer.from([0x0c, Buffer.byteLength(s)]), Buffer.from(s)]);

test('email token: rfc822Name SAN, issuer extensions, 10 minutes, chains to the root', async () => {
  const token = await email.token({ sub: 'u-123', email: 'alice@example.com', email_verified: true });
  const res = await issue(token, 'alice@example.com');
  assert.equal(res.statusCode, 200, res.body);
  const leaf = leafOf(res);
  assert.equal(leaf.subjectAltName, 'email:alice@example.com');
  assert.equal(leaf.subject ?? '', '');
  assert.equal((Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 1000, 600);
  assert.deepEqual(extValue(leaf, '1.3.6.1.4.1.57264.1.1'), Buffer.from(email.url));
  assert.deepEqual(extValue(leaf, '1.3.6.1.4.1.57264.1.8'), utf8(email.url));
  assert.deepEqual(extValue(leaf, '1.3.6.1.4.1.57264.1.24'), utf8('u-123'));
  const [, intermediate, root] = res
    .json()
    .signedCertificateDetachedSct.chain.certificates.map((p: string) => new X509Certificate(p));
  assert.ok(leaf.verify(intermediate.publicKey));
  assert.ok(intermediate.verify(root.publicKey));
  assert.ok(leaf.checkIssued(intermediate));
  assert.equal(res.json().signedCertificateDetachedSct.signedCertificateTimestamp, '');
});

test('v2 accepts the key as PEM, raw DER text or base64 DER', async () => {
  const { pem, proof } = keyAndProof('alice@example.com');
  const der = createPublicKey(pem).export({ format: 'der', type: 'spki' });
  for (const content of [der.toString('base64'), der.toString('latin1')]) {
    const token = await email.token({ sub: 's', email: 'alice@example.com', email_verified: true });
    const res = await ca.app.inject({
      method: 'POST',
      url: '/api/v2/signingCert',
      payload: v2Body(token, content, proof),
    });
    assert.equal(res.statusCode, 200, res.body);
  }
});

test('every accepted key type gets a certificate: P-384, Ed25519, RSA 2048', async () => {
  for (const type of ['p384', 'ed25519', 'rsa2048'] as const) {
    const token = await email.token({ sub: 's', email: 'bob@example.com', email_verified: 'true' });
    const res = await issue(token, 'bob@example.com', type);
    assert.equal(res.statusCode, 200, `${type}: ${res.body}`);
  }
});

test('github actions token via the ci-provider templates', async () => {
  const claims = {
    sub: 'repo:octo/app:ref:refs/heads/main',
    job_workflow_ref: 'octo/app/.github/workflows/release.yml@refs/heads/main',
    job_workflow_sha: 'aaa',
    sha: 'bbb',
    event_name: 'push',
    repository: 'octo/app',
    workflow: 'Release',
    ref: 'refs/heads/main',
    runner_environment: 'github-hosted',
    repository_id: 123456789012,
    repository_owner: 'octo',
    repository_owner_id: '42',
    repository_visibility: 'public',
    workflow_ref: 'octo/app/.github/workflows/release.yml@refs/heads/main',
    workflow_sha: 'ccc',
    run_id: '99',
    run_attempt: '1',
  };
  const res = await issue(await github.token(claims), claims.sub);
  assert.equal(res.statusCode, 200, res.body);
  const leaf = leafOf(res);
  assert.equal(leaf.subjectAltName, 'URI:https://github.com/octo/app/.github/workflows/release.yml@refs/heads/main');
  const want: [number, Buffer][] = [
    [2, Buffer.from('push')],
    [3, Buffer.from('bbb')],
    [4, Buffer.from('Release')],
    [5, Buffer.from('octo/app')],
    [6, Buffer.from('refs/heads/main')],
    [9, utf8('https://github.com/octo/app/.github/workflows/release.yml@refs/heads/main')],
    [10, utf8('aaa')],
    [11, utf8('github-hosted')],
    [12, utf8('https://github.com/octo/app')],
    [15, utf8('123456789012')],
    [16, utf8('https://github.com/octo')],
    [21, utf8('https://github.com/octo/app/actions/runs/99/attempts/1')],
    [22, utf8('public')],
    [24, utf8(claims.sub)],
  ];
  for (const [n, v] of want) assert.deepEqual(extValue(leaf, `1.3.6.1.4.1.57264.1.${n}`), v, `extension 1.${n}`);
  assert.equal(extValue(leaf, '1.3.6.1.4.1.57264.1.23'), undefined, 'empty environment is omitted');
});

test('gitlab token: SAN and templated ref', async () => {
  const claims = {
    sub: 'project_path:grp/proj:ref_type:branch:ref:main',
    project_path: 'grp/proj',
    ci_config_ref_uri: 'gitlab.com/grp/proj//.gitlab-ci.yml@refs/heads/main',
    ci_config_sha: 'ddd',
    ref: 'main',
    ref_type: 'branch',
    sha: 'eee',
    project_id: '7',
    namespace_path: 'grp',
    namespace_id: '8',
    pipeline_source: 'push',
    job_id: '55',
    runner_environment: 'gitlab-hosted',
    project_visibility: 'private',
  };
  const res = await issue(await gitlab.token(claims), claims.sub);
  assert.equal(res.statusCode, 200, res.body);
  const leaf = leafOf(res);
  assert.equal(leaf.subjectAltName, 'URI:https://gitlab.com/grp/proj//.gitlab-ci.yml@refs/heads/main');
  assert.deepEqual(extValue(leaf, '1.3.6.1.4.1.57264.1.14'), utf8('refs/heads/main'));
  assert.deepEqual(extValue(leaf, '1.3.6.1.4.1.57264.1.21'), utf8('https://gitlab.com/grp/proj/-/jobs/55'));
});

test('spiffe, uri, username and kubernetes identities', async () => {
  const spiffeRes = await issue(
    await spiffe.token({ sub: 'spiffe://example.org/ns/a/sa/b' }),
    'spiffe://example.org/ns/a/sa/b',
  );
  assert.equal(leafOf(spiffeRes).subjectAltName, 'URI:spiffe://example.org/ns/a/sa/b');
  const uriRes = await issue(
    await uri.token({ sub: 'https://example.com/users/alice' }),
    'https://example.com/users/alice',
  );
  assert.equal(leafOf(uriRes).subjectAltName, 'URI:https://example.com/users/alice');
  const userRes = await issue(await username.token({ sub: 'alice' }), 'alice');
  assert.equal(userRes.statusCode, 200, userRes.body);
  // OtherName [0] { 1.3.6.1.4.1.57264.1.7, [0] EXPLICIT UTF8String "alice!example.com" } (node prints <unsupported>).
  const otherName = Buffer.concat([
    Buffer.from('a021060a2b0601040183bf300107a0130c11', 'hex'),
    Buffer.from('alice!example.com'),
  ]);
  assert.ok(leafOf(userRes).raw.includes(otherName));
  const k8sRes = await issue(
    await k8s.token({
      sub: 'system:serviceaccount:ns1:sa1',
      'kubernetes.io': { namespace: 'ns1', serviceaccount: { name: 'sa1' } },
    }),
    'system:serviceaccount:ns1:sa1',
  );
  assert.equal(leafOf(k8sRes).subjectAltName, 'URI:https://kubernetes.io/namespaces/ns1/serviceaccounts/sa1');
  const wrongDomain = await issue(await spiffe.token({ sub: 'spiffe://other.org/x' }), 'spiffe://other.org/x');
  assert.equal(wrongDomain.statusCode, 400);
  const userEmail = await issue(await username.token({ sub: 'a@b.c' }), 'a@b.c');
  assert.equal(userEmail.statusCode, 400);
});

test('issuer key rotation: an unknown kid makes the CA refetch the JWKS once', async () => {
  assert.equal(
    (await issue(await email.token({ sub: 's', email: 'r@example.com', email_verified: true }), 'r@example.com'))
      .statusCode,
    200,
  );
  const fetches = email.jwksFetches;
  const kid = await email.rotate();
  const res = await issue(
    await email.token({ sub: 's', email: 'r@example.com', email_verified: true }, { kid }),
    'r@example.com',
  );
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(email.jwksFetches, fetches + 1);
});

test('CORS as Fulcio (any origin) for the public reads only; the token-taking signing endpoints get no grant', async () => {
  const preflight = (url: string) =>
    ca.app.inject({
      method: 'OPTIONS',
      url,
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' },
    });
  const read = await preflight('/api/v2/trustBundle');
  assert.equal(read.statusCode, 204);
  assert.equal(read.headers['access-control-allow-origin'], '*');
  assert.match(String(read.headers['access-control-allow-methods']), /GET/);
  assert.equal((await ca.app.inject({ url: '/api/v2/trustBundle' })).headers['access-control-allow-origin'], '*');
  for (const url of ['/api/v2/signingCert', '/api/v1/signingCert']) {
    assert.equal((await preflight(url)).headers['access-control-allow-origin'], undefined, url);
    const post = await ca.app.inject({ method: 'POST', url, payload: {}, headers: { origin: 'https://app.example' } });
    assert.equal(post.headers['access-control-allow-origin'], undefined, url);
  }
});

test('the signing endpoints answer only requests addressed to this server (Host header, against DNS rebinding)', async () => {
  const token = await email.token({ sub: 's', email: 'alice@example.com', email_verified: true });
  const { pem, proof } = keyAndProof('alice@example.com');
  for (const url of ['/api/v2/signingCert', '/api/v1/signingCert']) {
    const res = await ca.app.inject({
      method: 'POST',
      url,
      payload: v2Body(token, pem, proof),
      headers: { host: 'attacker.example:80' },
    });
    assert.equal(res.statusCode, 403, url);
    assert.equal(res.json().code, 7);
    assert.match(res.json().message, /the Host header "attacker\.example:80" does not name this server \(ca\.test\)/);
  }
  for (const host of ['ca.test', '127.0.0.1:5555', 'localhost', '[::1]:3000']) {
    const res = await ca.app.inject({
      method: 'POST',
      url: '/api/v2/signingCert',
      payload: v2Body(token, pem, proof),
      headers: { host },
    });
    assert.equal(res.statusCode, 200, `${host}: ${res.body}`);
  }
});

test('a signing request body over 64 KiB is 413 ResourceExhausted', async () => {
  const res = await ca.app.inject({
    method: 'POST',
    url: '/api/v2/signingCert',
    payload: JSON.stringify({ pad: 'x'.repeat(70 * 1024) }),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(res.statusCode, 413);
  assert.equal(res.json().code, 8);
});

test('a meta issuer matches one label and issues', async () => {
  const res = await issue(
    await tenant.token({ sub: 's', email: 'carol@example.com', email_verified: true }),
    'carol@example.com',
  );
  assert.equal(res.statusCode, 200, res.body);
});

async function expectRefused(res: { statusCode: number; json(): any; body: string }, message: RegExp, token?: string) {
  assert.equal(res.statusCode, 400, res.body);
  const body = res.json();
  assert.equal(body.code, 3);
  assert.deepEqual(body.details, []);
  assert.match(body.message, message);
  assert.equal(body.signedCertificateEmbeddedSct, undefined);
  if (token) assert.ok(!res.body.includes(token.split('.')[2]!), 'the token is never echoed');
}

test('token failures are 400 with a message naming the check', async () => {
  const now = Math.floor(Date.now() / 1000);
  const ok = { sub: 's', email: 'alice@example.com', email_verified: true };
  const cases: [string, Promise<string>, RegExp][] = [
    ['expired', email.token({ ...ok, exp: now - 600, iat: now - 1200 }), /^token expired at 20/],
    ['not yet valid', email.token({ ...ok, nbf: now + 3600 }), /not valid before/],
    ['wrong audience', email.token({ ...ok, aud: 'other' }), /token audience "other" is not "sigstore"/],
    ['email not verified', email.token({ ...ok, email_verified: false }), /email is not verified/],
    ['unknown kid', email.token(ok, { kid: 'nope' }), /signature does not verify/],
  ];
  for (const [name, tokenP, re] of cases) {
    const token = await tokenP;
    await expectRefused(await issue(token, 'alice@example.com'), re, token);
    void name;
  }
});

test('bad signatures, alg none, HS256, oversized, untrusted issuer', async () => {
  const other = await generateKeyPair('RS256');
  const forged = await email.token(
    { sub: 's', email: 'alice@example.com', email_verified: true },
    { key: other.privateKey },
  );
  await expectRefused(await issue(forged, 'alice@example.com'), /token signature does not verify/, forged);
  const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const payload = enc({
    iss: email.url,
    aud: 'sigstore',
    sub: 's',
    email: 'alice@example.com',
    email_verified: true,
    exp: Math.floor(Date.now() / 1000) + 60,
  });
  await expectRefused(
    await issue(`${enc({ alg: 'none' })}.${payload}.`, 'alice@example.com'),
    /algorithm "none" is not allowed/,
  );
  const hs = await new SignJWT({ iss: email.url, aud: 'sigstore', sub: 's' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(new Uint8Array(32));
  await expectRefused(await issue(hs, 's'), /algorithm "HS256" is not allowed/);
  const big = await email.token({
    sub: 's',
    email: 'alice@example.com',
    email_verified: true,
    pad: 'x'.repeat(40_000),
  });
  await expectRefused(await issue(big, 'alice@example.com'), /larger than/);
  const rogue = await startTestIssuer();
  try {
    await expectRefused(
      await issue(await rogue.token({ sub: 's' }), 's'),
      /issuer "http:\/\/127\.0\.0\.1:\d+" is not trusted by this CA/,
    );
  } finally {
    await rogue.close();
  }
  await expectRefused(await issue('garbage', 's'), /not a compact JWS/);
  await expectRefused(await issue('', 's'), /no OIDC identity token/);
});

test('meta issuer SSRF attempts are untrusted before any fetch', async () => {
  const base = tenant.url.replace('/tenant/acme-1', '');
  const attempts = [
    'https://oidc.example.com/id/a/../../evil',
    'https://oidc.example.com/id/a/b',
    'https://oidc.example.com/id/x@evil.example',
    'https://oidc.example.com/id/x?y=1',
    'https://oidc.example.com/id/x#frag',
    'https://oidc.example.com/id/x.evil.example',
    'https://evil.example/https://oidc.example.com/id/x',
    'https://oidc.example.com/id/',
    `${base}/tenant/a.b`,
    `${base}/tenant/a%2fb`,
    `${base.replace('127.0.0.1', 'localhost')}/tenant/a`,
  ];
  for (const iss of attempts) {
    const token = await email.token({ iss, sub: 's', email: 'a@example.com', email_verified: true });
    await expectRefused(await issue(token, 'a@example.com'), /is not trusted by this CA/);
  }
});

test('key and proof failures: wrong proof, RSA 1024, unsupported key types, garbage', async () => {
  const token = () => email.token({ sub: 's', email: 'alice@example.com', email_verified: true });
  await expectRefused(
    await issue(await token(), 'mallory@example.com'),
    /signature supplied in the request could not be verified/,
  );
  const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const send = async (pem: string, proof: Buffer) =>
    ca.app.inject({
      method: 'POST',
      url: '/api/v2/signingCert',
      payload: v2Body(await token(), pem, proof.toString('base64')),
    });
  const pemOf = (k: { publicKey: import('node:crypto').KeyObject }) =>
    k.publicKey.export({ format: 'pem', type: 'spki' }) as string;
  await expectRefused(
    await send(pemOf(rsa1024), sign('sha256', Buffer.from('alice@example.com'), rsa1024.privateKey)),
    /insecure: RSA keys of 1024 bits are not/,
  );
  const rsa2560 = generateKeyPairSync('rsa', { modulusLength: 2560 });
  await expectRefused(
    await send(pemOf(rsa2560), sign('sha256', Buffer.from('alice@example.com'), rsa2560.privateKey)),
    /RSA keys of 2560 bits are not allowed \(use 2048, 3072 or 4096/,
  );
  const rsaE3 = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 });
  await expectRefused(
    await send(pemOf(rsaE3), sign('sha256', Buffer.from('alice@example.com'), rsaE3.privateKey)),
    /exponent must be 65537/,
  );
  const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  await expectRefused(
    await send(pemOf(k1), sign('sha256', Buffer.from('alice@example.com'), k1.privateKey)),
    /insecure: ECDSA keys on curve secp256k1 are not supported/,
  );
  const x = generateKeyPairSync('x25519');
  await expectRefused(await send(pemOf(x), Buffer.from('00', 'hex')), /insecure: x25519 keys are not supported/);
  await expectRefused(
    await send('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', Buffer.from('00', 'hex')),
    /could not be parsed/,
  );
  await expectRefused(await send('not a key', Buffer.from('00', 'hex')), /could not be parsed/);
  const p = keyAndProof('alice@example.com');
  await expectRefused(await send(p.pem, Buffer.alloc(0)), /proof of possession is missing/);
});

test('CSR path: a good CSR is accepted, garbage and bad signatures are refused', async (t) => {
  const token = await email.token({ sub: 's', email: 'alice@example.com', email_verified: true });
  if (!requireProgram(t, 'openssl', 'version')) return;
  const dir = tempDir();
  const keyFile = join(dir, 'k.pem');
  writeFileSync(
    keyFile,
    generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }),
  );
  const pem = execFileSync(
    'openssl',
    ['req', '-new', '-key', keyFile, '-subj', '/CN=ignored', '-addext', 'subjectAltName=email:evil@example.com'],
    { encoding: 'utf8' },
  );
  const send = (csrText: string) =>
    ca.app.inject({
      method: 'POST',
      url: '/api/v2/signingCert',
      payload: {
        credentials: { oidcIdentityToken: token },
        certificateSigningRequest: Buffer.from(csrText).toString('base64'),
      },
    });
  const res = await send(pem);
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(leafOf(res).subject ?? '', '', 'the CSR subject is ignored');
  await expectRefused(await send('garbage'), /certificate signing request could not be parsed/);
  const der = Buffer.from(pem.replace(/-----[A-Z ]+-----|\s/g, ''), 'base64');
  der[der.length - 5] ^= 0xff; // corrupt the signature
  await expectRefused(
    await send(`-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`),
    /could not be (verified|parsed)/,
  );
});

test('legacy v1, trust bundle, configuration, rootCert', async () => {
  const token = await email.token({ sub: 's', email: 'alice@example.com', email_verified: true });
  const { pem, proof } = keyAndProof('alice@example.com');
  const v1 = await ca.app.inject({
    method: 'POST',
    url: '/api/v1/signingCert',
    headers: { authorization: `Bearer ${token}` },
    payload: {
      publicKey: { algorithm: 'ecdsa', content: Buffer.from(pem).toString('base64') },
      signedEmailAddress: proof,
    },
  });
  assert.equal(v1.statusCode, 201, v1.body);
  assert.equal(v1.headers['content-type'], 'application/pem-certificate-chain');
  assert.equal(v1.body.match(/BEGIN CERTIFICATE/g)!.length, 3);
  assert.ok(!v1.body.endsWith('\n'));
  const noToken = await ca.app.inject({
    method: 'POST',
    url: '/api/v1/signingCert',
    payload: { publicKey: { content: 'AA==' } },
  });
  assert.equal(noToken.statusCode, 400);
  const bundle = (await ca.app.inject({ url: '/api/v2/trustBundle' })).json();
  assert.equal(bundle.chains.length, 1);
  assert.equal(bundle.chains[0].certificates.length, 2);
  assert.ok(bundle.chains[0].certificates[0].endsWith('-----END CERTIFICATE-----\n'));
  const config = (await ca.app.inject({ url: '/api/v2/configuration' })).json();
  const e = config.issuers.find((i: any) => i.issuerUrl === email.url);
  assert.deepEqual(e, {
    issuerUrl: email.url,
    audience: 'sigstore',
    challengeClaim: 'email',
    spiffeTrustDomain: '',
    issuerType: 'email',
    subjectDomain: '',
    skipEmailVerification: false,
  });
  assert.ok(
    config.issuers.some(
      (i: any) => i.wildcardIssuerUrl === 'https://oidc.example.com/id/*' && i.challengeClaim === 'sub',
    ),
  );
  const root = await ca.app.inject({ url: '/api/v1/rootCert' });
  assert.equal(root.body.match(/BEGIN CERTIFICATE/g)!.length, 2);
});

test('a body over 4 MiB is refused with 413 before any work', async () => {
  const res = await ca.app.inject({
    method: 'POST',
    url: '/api/v2/signingCert',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ x: 'a'.repeat(4 * 1024 * 1024 + 10) }),
  });
  assert.equal(res.statusCode, 413);
  assert.equal(res.json().code, 8);
});

test('bad request bodies get a 4xx JSON error, never a crash', async () => {
  for (const payload of ['{', '[]', '"x"', '{"publicKeyRequest":5}', '{"credentials":{"oidcIdentityToken":7}}']) {
    const res = await ca.app.inject({
      method: 'POST',
      url: '/api/v2/signingCert',
      headers: { 'content-type': 'application/json' },
      payload,
    });
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, `${payload}: ${res.statusCode}`);
    assert.equal(typeof res.json().message, 'string');
  }
});

test('a CT log failure is a 500 "error entering certificate in CTL" and no certificate', async () => {
  const failing = await startTestCa(
    { OIDCIssuers: { [email.url]: { Type: 'email' } } },
    {
      ctLog: {
        addPreChain: async () => {
          throw new Error('disk full at /secret/path');
        },
      },
    },
  );
  try {
    const { pem, proof } = keyAndProof('alice@example.com');
    const token = await email.token({ sub: 's', email: 'alice@example.com', email_verified: true });
    const res = await failing.app.inject({
      method: 'POST',
      url: '/api/v2/signingCert',
      payload: v2Body(token, pem, proof),
    });
    assert.equal(res.statusCode, 500);
    assert.deepEqual(res.json(), { code: 13, message: 'error entering certificate in CTL', details: [] });
  } finally {
    await failing.close();
  }
});
