import { rmSync } from 'node:fs';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { freePort, runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';

const env = { SIGNET_LOG_LEVEL: 'warn' };
let stack: RunningStack;
let issuer: string;
type Json = Record<string, any>;
const json = async (r: Response): Promise<Json> => (await r.json()) as Json;

before(async () => {
  stack = await startSignet(['up'], { env, readyPath: '/oidc/.well-known/openid-configuration' });
  issuer = (await json(await fetch(`${stack.url}/oidc/.well-known/openid-configuration`))).issuer;
});
after(async () => {
  await stack?.stop();
  if (stack) rmSync(stack.dataDir, { recursive: true, force: true });
});

const postForm = (url: string, body: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(body),
    redirect: 'manual',
  });

async function verifyToken(token: string) {
  const discovery = await json(await fetch(`${stack.url}/oidc/.well-known/openid-configuration`));
  const jwks = createRemoteJWKSet(new URL(discovery.jwks_uri));
  return jwtVerify(token, jwks, { issuer: discovery.issuer, audience: 'sigstore', algorithms: ['RS256'] });
}

function field(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  assert.ok(m, `no field ${name} in the page`);
  return m[1]!;
}

test('signet up prints how to point clients at it', () => {
  assert.match(stack.output(), /trusted root: +http:\/\/127\.0\.0\.1:\d+\/trusted_root\.json/);
  assert.match(stack.output(), /signet oidc token --email you@example\.com --issuer http:\/\/127\.0\.0\.1:\d+\/oidc/);
});

test('signet oidc token prints an ID token that verifies against the discovery JWKS', async () => {
  assert.equal(issuer, `${stack.url}/oidc`);
  const r = await runSignetAsync(['oidc', 'token', '--email', 'alice@example.com', '--issuer', issuer], { env });
  assert.equal(r.status, 0, r.stderr);
  const { payload } = await verifyToken(r.stdout.trim());
  assert.equal(payload.email, 'alice@example.com');
  assert.equal(payload.email_verified, true);
  assert.equal(payload.sub, 'alice@example.com');
  assert.ok(payload.exp! - payload.iat! <= 600);
});

test('signet oidc token fails with one line when the issuer is wrong or down', async () => {
  const port = await freePort();
  const down = await runSignetAsync(['oidc', 'token', '--email', 'a@b.c', '--issuer', `http://127.0.0.1:${port}/oidc`]);
  assert.equal(down.status, 1);
  assert.match(down.stderr, /^signet: error: cannot reach/m);
  const notOidc = await runSignetAsync(['oidc', 'token', '--email', 'a@b.c', '--issuer', `${stack.url}/nothing`]);
  assert.equal(notOidc.status, 1);
  assert.match(notOidc.stderr, /^signet: error: /m);
  const badEmail = await runSignetAsync(['oidc', 'token', '--email', 'nope', '--issuer', issuer]);
  assert.equal(badEmail.status, 1);
  const badUrl = await runSignetAsync(['oidc', 'token', '--email', 'a@b.c', '--issuer', 'ftp://x']);
  assert.equal(badUrl.status, 1);
});

test('authorization code + PKCE with plain fetch: login form, redirect, exchange; a wrong verifier is rejected', async () => {
  const redirectUri = 'http://127.0.0.1:1/callback';
  const login = async (verifier: string) => {
    const q = new URLSearchParams({
      response_type: 'code',
      client_id: 'sigstore',
      redirect_uri: redirectUri,
      scope: 'openid email',
      state: 'xyz',
      nonce: 'nonce-1',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    });
    const page = await fetch(`${issuer}/authorize?${q}`);
    assert.equal(page.status, 200);
    const html = await page.text();
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
    const res = await postForm(
      new URL(action, page.url).toString(),
      { login_id: field(html, 'login_id'), csrf: field(html, 'csrf'), email: 'erin@example.com' },
      { cookie },
    );
    assert.equal(res.status, 303);
    const back = new URL(res.headers.get('location')!);
    assert.equal(`${back.origin}${back.pathname}`, redirectUri);
    assert.equal(back.searchParams.get('state'), 'xyz');
    return back.searchParams.get('code')!;
  };
  const exchange = (code: string, verifier: string) =>
    postForm(`${issuer}/token`, {
      grant_type: 'authorization_code',
      client_id: 'sigstore',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    });

  const verifier = randomBytes(32).toString('base64url');
  const wrong = await exchange(await login(verifier), randomBytes(32).toString('base64url'));
  assert.equal(wrong.status, 400);
  assert.equal((await json(wrong)).error, 'invalid_grant');

  const ok = await exchange(await login(verifier), verifier);
  assert.equal(ok.status, 200);
  const { payload } = await verifyToken((await json(ok)).id_token);
  assert.equal(payload.email, 'erin@example.com');
  assert.equal(payload.nonce, 'nonce-1');
});

test('device flow: pending, then approved on the user code page', async () => {
  const start = await postForm(`${issuer}/device_authorization`, { client_id: 'sigstore', scope: 'openid email' });
  assert.equal(start.status, 200);
  const d = await json(start);
  const poll = async () =>
    postForm(`${issuer}/token`, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      client_id: 'sigstore',
      device_code: d.device_code,
    });
  const pending = await poll();
  assert.equal(pending.status, 400);
  assert.equal((await json(pending)).error, 'authorization_pending');
  assert.equal((await json(await poll())).error, 'slow_down');

  const page = await fetch(d.verification_uri_complete);
  const html = await page.text();
  assert.ok(html.includes(`value="${d.user_code}"`));
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const approve = await postForm(
    d.verification_uri,
    { csrf: field(html, 'csrf'), user_code: d.user_code, email: 'frank@example.com', action: 'approve' },
    { cookie },
  );
  assert.equal(approve.status, 200);
  const done = await poll();
  assert.equal(done.status, 200);
  assert.equal((await verifyToken((await json(done)).id_token)).payload.email, 'frank@example.com');
});

test('bad input on every dev provider endpoint: 4xx JSON, and the server keeps answering', async () => {
  const cases: Array<[string, RequestInit]> = [
    [`${issuer}/token`, { method: 'POST' }],
    [`${issuer}/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{' }],
    [
      `${issuer}/token`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a'.repeat(70_000) },
    ],
    [
      `${issuer}/token`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=%ZZ' },
    ],
    [
      `${issuer}/device_authorization`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' },
    ],
    [
      `${issuer}/device`,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'csrf=x' },
    ],
    [`${issuer}/authorize?redirect_uri=javascript:alert(1)&client_id=sigstore`, {}],
    [
      `${issuer}/authorize`,
      { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--' },
    ],
  ];
  for (const [url, init] of cases) {
    const res = await fetch(url, { ...init, redirect: 'manual' });
    assert.ok(res.status >= 400 && res.status < 500, `${url}: ${res.status}`);
    const body = await json(res);
    assert.equal(typeof (body.error ?? body.message), 'string');
  }
  assert.equal((await fetch(`${issuer}/jwks`)).status, 200);
});

test('signet up refuses to serve the dev provider beyond loopback unless explicitly allowed', async () => {
  const dataDir = tempDir();
  const r = await runSignetAsync(
    ['up', '--host', '0.0.0.0', '--port', String(await freePort()), '--data-dir', dataDir],
    { env },
  );
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^signet: error: refusing to serve the dev identity provider on 0\.0\.0\.0/m);
  assert.match(r.stderr, /^signet: hint: .*--allow-dev-oidc-on-network/m);
  rmSync(dataDir, { recursive: true, force: true });
});
