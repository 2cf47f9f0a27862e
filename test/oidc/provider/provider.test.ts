import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import pino from 'pino';
import {
  assertDevOidcExposure,
  createDevOidcProvider,
  DEV_EMAIL_GRANT,
  DEVICE_CODE_GRANT,
} from '../../../src/oidc/provider/index.js';
import { tempDir } from '../../helpers/process.js';

const publicUrl = 'http://localhost:3000';
const issuer = `${publicUrl}/oidc`;

async function setup(t: { after(fn: () => unknown): void }, clock?: () => number, idTokenAlg?: 'RS256' | 'ES256') {
  const dataDir = tempDir();
  const provider = await createDevOidcProvider({
    dataDir,
    publicUrl,
    logger: pino({ level: 'silent' }),
    clock,
    idTokenAlg,
  });
  const app = Fastify();
  await provider.register(app);
  await app.ready();
  t.after(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { app, dataDir, provider };
}

const form = (app: FastifyInstance, url: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(body).toString(),
  });

async function verify(app: FastifyInstance, idToken: string) {
  const jwks = (await app.inject('/oidc/jwks')).json();
  return jwtVerify(idToken, createLocalJWKSet(jwks), {
    issuer,
    audience: 'sigstore',
    algorithms: ['RS256', 'ES256'],
    clockTolerance: 30,
  });
}

function hiddenField(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  assert.ok(m, `no hidden field ${name}`);
  return m[1]!;
}

test('discovery names the issuer and endpoints; the key is kept 0600 and reused', async (t) => {
  const { app, dataDir, provider } = await setup(t);
  const d = (await app.inject('/oidc/.well-known/openid-configuration')).json();
  assert.equal(d.issuer, issuer);
  assert.equal(d.token_endpoint, `${issuer}/token`);
  assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
  assert.deepEqual(provider.issuerConfigs, [
    { issuerUrl: issuer, clientId: 'sigstore', type: 'email' },
    { issuerUrl: `${issuer}/github`, clientId: 'sigstore', type: 'ci-provider', ciProvider: 'github-workflow' },
    { issuerUrl: `${issuer}/gitlab`, clientId: 'sigstore', type: 'ci-provider', ciProvider: 'gitlab-pipeline' },
  ]);
  const keyPath = join(dataDir, 'id-token-key-rs256.pem');
  assert.equal(statSync(keyPath).mode & 0o777, 0o600);
  const again = await createDevOidcProvider({ dataDir, publicUrl, logger: pino({ level: 'silent' }) });
  const app2 = Fastify();
  await again.register(app2);
  assert.deepEqual((await app2.inject('/oidc/jwks')).json(), (await app.inject('/oidc/jwks')).json());
  await app2.close();
});

test('scripted grant: an ID token Fulcio accepts for the email type', async (t) => {
  const { app } = await setup(t);
  const res = await form(app, '/oidc/token', {
    grant_type: DEV_EMAIL_GRANT,
    client_id: 'sigstore',
    email: 'alice@example.com',
  });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['cache-control'], 'no-store');
  const { payload, protectedHeader } = await verify(app, res.json().id_token);
  assert.equal(protectedHeader.alg, 'RS256');
  assert.equal(payload.email, 'alice@example.com');
  assert.equal(payload.email_verified, true);
  assert.equal(payload.sub, 'alice@example.com');
  assert.ok(payload.exp! - payload.iat! === 600);
});

test('RS256 by default, ES256 on request: discovery, JWKS and tokens agree', async (t) => {
  for (const alg of ['RS256', 'ES256'] as const) {
    const { app } = await setup(t, undefined, alg === 'RS256' ? undefined : alg);
    const d = (await app.inject('/oidc/.well-known/openid-configuration')).json();
    assert.deepEqual(d.id_token_signing_alg_values_supported, [alg]);
    const jwks = (await app.inject('/oidc/jwks')).json();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].alg, alg);
    assert.equal(jwks.keys[0].kty, alg === 'RS256' ? 'RSA' : 'EC');
    assert.equal(jwks.keys[0].d, undefined, 'no private part in the JWKS');
    const res = await form(app, '/oidc/token', { grant_type: DEV_EMAIL_GRANT, client_id: 'sigstore', email: 'a@b.co' });
    const { protectedHeader } = await verify(app, res.json().id_token);
    assert.equal(protectedHeader.alg, alg);
    assert.equal(protectedHeader.kid, jwks.keys[0].kid);
  }
});

test('authorization code + PKCE: login form, redirect, exchange; wrong verifier and reuse rejected', async (t) => {
  const { app } = await setup(t);
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = 'http://127.0.0.1:45678/auth/callback';
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: 'sigstore',
    redirect_uri: redirectUri,
    scope: 'openid email',
    state: 's<t>"ate',
    nonce: 'n-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const page = await app.inject(`/oidc/authorize?${q}`);
  assert.equal(page.statusCode, 200);
  assert.match(page.headers['content-type'] as string, /text\/html/);
  assert.equal(page.headers['x-frame-options'], 'DENY');
  const cookie = (page.headers['set-cookie'] as string).split(';')[0]!;
  const loginId = hiddenField(page.body, 'login_id');
  const csrf = hiddenField(page.body, 'csrf');

  const noCsrf = await form(
    app,
    '/oidc/authorize',
    { login_id: loginId, csrf: 'x'.repeat(43), email: 'a@b.c' },
    { cookie },
  );
  assert.equal(noCsrf.statusCode, 403);
  const noCookie = await form(app, '/oidc/authorize', { login_id: loginId, csrf, email: 'a@b.c' });
  assert.equal(noCookie.statusCode, 403);
  const badEmail = await form(
    app,
    '/oidc/authorize',
    { login_id: loginId, csrf, email: '<script>x</script>' },
    { cookie },
  );
  assert.equal(badEmail.statusCode, 400);
  assert.ok(!badEmail.body.includes('<script>x'));

  const login = await form(app, '/oidc/authorize', { login_id: loginId, csrf, email: 'bob@example.com' }, { cookie });
  assert.equal(login.statusCode, 303);
  const back = new URL(login.headers.location as string);
  assert.equal(back.origin + back.pathname, redirectUri);
  assert.equal(back.searchParams.get('state'), 's<t>"ate');
  assert.equal(back.searchParams.get('iss'), issuer);
  const code = back.searchParams.get('code')!;

  const exchange = (code_verifier: string) =>
    form(app, '/oidc/token', {
      grant_type: 'authorization_code',
      client_id: 'sigstore',
      code,
      redirect_uri: redirectUri,
      code_verifier,
    });
  const wrong = await exchange(randomBytes(32).toString('base64url'));
  assert.equal(wrong.statusCode, 400);
  assert.equal(wrong.json().error, 'invalid_grant');
  // The failed attempt consumed the code (single use), so start again for the good exchange.
  const reused = await exchange(verifier);
  assert.equal(reused.json().error, 'invalid_grant');
});

test('authorization code + PKCE: the right verifier gets a token with the nonce', async (t) => {
  const { app } = await setup(t);
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const redirectUri = 'http://localhost:1/cb';
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: 'sigstore',
    redirect_uri: redirectUri,
    scope: 'openid',
    nonce: 'abc',
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });
  const page = await app.inject(`/oidc/authorize?${q}`);
  const cookie = (page.headers['set-cookie'] as string).split(';')[0]!;
  const login = await form(
    app,
    '/oidc/authorize',
    { login_id: hiddenField(page.body, 'login_id'), csrf: hiddenField(page.body, 'csrf'), email: 'carol@example.com' },
    { cookie },
  );
  const code = new URL(login.headers.location as string).searchParams.get('code')!;
  const basic = 'Basic ' + Buffer.from('sigstore:').toString('base64');
  const res = await form(
    app,
    '/oidc/token',
    { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier },
    { authorization: basic },
  );
  assert.equal(res.statusCode, 200, res.body);
  const { payload } = await verify(app, res.json().id_token);
  assert.equal(payload.email, 'carol@example.com');
  assert.equal(payload.nonce, 'abc');
});

test('authorize rejects unknown clients and foreign redirect URIs without redirecting', async (t) => {
  const { app } = await setup(t);
  const base = {
    response_type: 'code',
    client_id: 'sigstore',
    scope: 'openid',
    code_challenge: 'a'.repeat(43),
    code_challenge_method: 'S256',
  };
  for (const bad of [
    { ...base, client_id: 'other', redirect_uri: 'http://127.0.0.1/cb' },
    { ...base, redirect_uri: 'https://evil.example/cb' },
    { ...base, redirect_uri: 'not a url' },
    { ...base, redirect_uri: 'http://127.0.0.1/cb#frag' },
  ]) {
    const res = await app.inject(`/oidc/authorize?${new URLSearchParams(bad)}`);
    assert.ok(res.statusCode === 400 || res.statusCode === 401, JSON.stringify(bad));
    assert.ok(res.json().error);
  }
  const plain = await app.inject(
    `/oidc/authorize?${new URLSearchParams({ ...base, redirect_uri: 'http://127.0.0.1/cb', code_challenge_method: 'plain', state: 'st' })}`,
  );
  assert.equal(plain.statusCode, 303);
  const loc = new URL(plain.headers.location as string);
  assert.equal(loc.searchParams.get('error'), 'invalid_request');
  assert.equal(loc.searchParams.get('state'), 'st');
});

test('device flow: pending, slow_down, approved, consumed; denial', async (t) => {
  let now = Date.now();
  const { app } = await setup(t, () => now);
  const start = await form(app, '/oidc/device_authorization', { client_id: 'sigstore', scope: 'openid email' });
  assert.equal(start.statusCode, 200);
  const d = start.json();
  assert.match(d.user_code, /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
  assert.equal(d.verification_uri, `${issuer}/device`);
  const poll = () =>
    form(app, '/oidc/token', { grant_type: DEVICE_CODE_GRANT, client_id: 'sigstore', device_code: d.device_code });
  assert.equal((await poll()).json().error, 'authorization_pending');
  assert.equal((await poll()).json().error, 'slow_down');
  now += 11_000;
  assert.equal((await poll()).json().error, 'authorization_pending');

  const page = await app.inject(`/oidc/device?user_code=${encodeURIComponent(d.user_code)}`);
  const cookie = (page.headers['set-cookie'] as string).split(';')[0]!;
  const csrf = hiddenField(page.body, 'csrf');
  assert.equal(hiddenField(page.body.replace('name="user_code" value', 'name="user_code" value'), 'csrf'), csrf);
  const approve = await form(
    app,
    '/oidc/device',
    { csrf, user_code: d.user_code.toLowerCase().replace('-', ''), email: 'dave@example.com', action: 'approve' },
    { cookie },
  );
  assert.equal(approve.statusCode, 200, approve.body);
  const done = await poll();
  assert.equal(done.statusCode, 200);
  assert.equal((await verify(app, done.json().id_token)).payload.email, 'dave@example.com');
  assert.equal((await poll()).json().error, 'expired_token');

  const second = (await form(app, '/oidc/device_authorization', { client_id: 'sigstore' })).json();
  await form(app, '/oidc/device', { csrf, user_code: second.user_code, action: 'deny' }, { cookie });
  const denied = await form(app, '/oidc/token', {
    grant_type: DEVICE_CODE_GRANT,
    client_id: 'sigstore',
    device_code: second.device_code,
  });
  assert.equal(denied.json().error, 'access_denied');
});

test('bad input everywhere gets a 4xx JSON error, never a crash', async (t) => {
  const { app } = await setup(t);
  const cases: Array<[string, string, string | undefined, string | undefined]> = [
    ['POST', '/oidc/token', undefined, undefined],
    ['POST', '/oidc/token', 'application/json', '{"grant_type":"authorization_code"}'],
    ['POST', '/oidc/token', 'application/x-www-form-urlencoded', 'grant_type=password'],
    ['POST', '/oidc/token', 'application/x-www-form-urlencoded', 'grant_type=a&grant_type=b'],
    ['POST', '/oidc/token', 'application/x-www-form-urlencoded', `grant_type=${DEV_EMAIL_GRANT}&email=nope`],
    [
      'POST',
      '/oidc/token',
      'application/x-www-form-urlencoded',
      'grant_type=authorization_code&client_id=sigstore&code=x&code_verifier=short',
    ],
    [
      'POST',
      '/oidc/token',
      'application/x-www-form-urlencoded',
      `grant_type=${DEVICE_CODE_GRANT}&client_id=sigstore&device_code=zz`,
    ],
    ['POST', '/oidc/token', 'application/x-www-form-urlencoded', '%%%=%%%'],
    ['POST', '/oidc/token', 'text/plain', 'hello'],
    ['POST', '/oidc/device_authorization', 'application/x-www-form-urlencoded', 'client_id=evil'],
    ['POST', '/oidc/device', 'application/x-www-form-urlencoded', 'user_code=AAAA-AAAA&action=approve'],
    ['POST', '/oidc/authorize', 'application/x-www-form-urlencoded', 'login_id=x&email=a@b.c'],
    ['GET', '/oidc/authorize', undefined, undefined],
    ['GET', '/oidc/authorize?client_id=sigstore&client_id=x', undefined, undefined],
    ['GET', '/oidc/nothing', undefined, undefined],
  ];
  for (const [method, url, type, payload] of cases) {
    const headers: Record<string, string> = type ? { 'content-type': type } : {};
    const res = await app.inject({ method: method as 'GET', url, headers, payload });
    assert.ok(
      res.statusCode >= 400 && res.statusCode < 500,
      `${method} ${url} ${payload}: ${res.statusCode} ${res.body}`,
    );
    assert.equal(typeof res.json().error, 'string', `${url}: ${res.body}`);
  }
  const basic = await form(
    app,
    '/oidc/token',
    { grant_type: DEV_EMAIL_GRANT, email: 'a@b.c' },
    { authorization: 'Basic ' + Buffer.from('%zz:').toString('base64') },
  );
  assert.equal(basic.statusCode, 401);
});

test('the dev provider refuses a non-loopback host unless explicitly allowed', () => {
  for (const host of ['127.0.0.1', 'localhost', '::1', '127.1.2.3'])
    assertDevOidcExposure({ host, devOidc: true, allowOnNetwork: false });
  for (const host of ['0.0.0.0', '::', '192.168.1.5', 'example.com']) {
    assert.throws(
      () => assertDevOidcExposure({ host, devOidc: true, allowOnNetwork: false }),
      /refusing to serve the dev identity provider/,
    );
    assertDevOidcExposure({ host, devOidc: true, allowOnNetwork: true });
    assertDevOidcExposure({ host, devOidc: false, allowOnNetwork: false });
  }
});
