import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { decodeJwt } from 'jose';
import pino from 'pino';
import { createDevOidcProvider, requestDevIdToken } from '../../../src/oidc/provider/index.js';
import {
  browserCommand,
  browserLogin,
  deviceLogin,
  discoverProvider,
  getIdentityToken,
  githubActionsToken,
  looksLikeJwt,
  type ProviderMetadata,
} from '../../../src/oidc/client/index.js';
import { isSignetError } from '../../../src/errors.js';
import { freePort, tempDir } from '../../helpers/process.js';

let app: FastifyInstance;
let dataDir: string;
let issuer: string;
let provider: ProviderMetadata;

before(async () => {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  dataDir = tempDir();
  const oidc = await createDevOidcProvider({ dataDir, publicUrl, logger: pino({ level: 'silent' }) });
  app = Fastify();
  await oidc.register(app);
  await app.listen({ port, host: '127.0.0.1' });
  issuer = oidc.issuerUrl;
  provider = await discoverProvider(issuer);
});
after(async () => {
  await app?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const field = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '';

/** Plays the person's browser: load the login page, submit an email, follow the redirect to the loopback callback. */
async function browser(url: string, email: string): Promise<Response> {
  const page = await fetch(url);
  assert.equal(page.status, 200);
  const html = await page.text();
  const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
  const action = /<form method="post" action="([^"]+)"/.exec(html)![1]!;
  const submit = await fetch(new URL(action, url), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams({ login_id: field(html, 'login_id'), csrf: field(html, 'csrf'), email }),
  });
  assert.equal(submit.status, 303);
  const callback = new URL(submit.headers.get('location')!);
  assert.equal(callback.hostname, '127.0.0.1');
  assert.equal(callback.pathname, '/auth/callback');
  return fetch(callback);
}

test('browser login: PKCE + loopback callback gives a verified ID token for the chosen email', async () => {
  let seen = '';
  let callbackStatus = 0;
  const token = await browserLogin({
    provider,
    clientId: 'sigstore',
    openUrl: async (url) => {
      seen = url;
      // The login runs "in the browser" while browserLogin waits for the callback.
      void browser(url, 'carol@example.com').then((r) => (callbackStatus = r.status));
    },
  });
  const q = new URL(seen).searchParams;
  assert.equal(q.get('code_challenge_method'), 'S256');
  assert.equal(q.get('scope'), 'openid email');
  assert.match(q.get('redirect_uri')!, /^http:\/\/127\.0\.0\.1:\d+\/auth\/callback$/);
  assert.ok(q.get('state')!.length >= 16 && q.get('nonce')!.length >= 16);
  const claims = decodeJwt(token);
  assert.equal(claims.email, 'carol@example.com');
  assert.equal(claims.nonce, q.get('nonce'));
  assert.equal(claims.aud, 'sigstore');
  assert.ok(callbackStatus === 200 || callbackStatus === 0);
});

test('browser login: a callback with the wrong state or an error is refused', async () => {
  for (const [query, want] of [
    ['state=forged&code=abc', /state does not match/],
    ['error=access_denied&error_description=nope', /oidc login failed: access_denied: nope/],
  ] as const) {
    await assert.rejects(
      browserLogin({
        provider,
        clientId: 'sigstore',
        openUrl: async (url) => {
          const redirect = new URL(new URL(url).searchParams.get('redirect_uri')!);
          const state = new URL(url).searchParams.get('state')!;
          const q = query.startsWith('error') ? `state=${state}&${query}` : query;
          void fetch(`${redirect}?${q}`).catch(() => {});
        },
      }),
      (e) => isSignetError(e, 'unauthenticated') && want.test(e.message),
    );
  }
});

test('device flow: the user code is shown, approved on the verification page, and polled to a token', async () => {
  const token = await deviceLogin({
    provider,
    clientId: 'sigstore',
    prompt: (auth) => {
      void (async () => {
        const page = await fetch(auth.verification_uri_complete!);
        const html = await page.text();
        const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
        const res = await fetch(auth.verification_uri, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
          body: new URLSearchParams({
            csrf: field(html, 'csrf'),
            user_code: auth.user_code,
            email: 'dave@example.com',
            action: 'approve',
          }),
        });
        assert.equal(res.status, 200);
      })();
    },
  });
  assert.equal(decodeJwt(token).email, 'dave@example.com');
});

test('token sources in cosign order: --identity-token (value, then file), SIGSTORE_ID_TOKEN, GitHub Actions', async () => {
  const a = await requestDevIdToken(issuer, 'a@example.com');
  const b = await requestDevIdToken(issuer, 'b@example.com');
  assert.ok(looksLikeJwt(a) && !looksLikeJwt('/tmp/token') && !looksLikeJwt('a.b'));
  const dir = tempDir();
  try {
    const file = join(dir, 'token');
    writeFileSync(file, a + '\n');
    assert.deepEqual(await getIdentityToken({ identityToken: a, env: { SIGSTORE_ID_TOKEN: b } }), {
      token: a,
      source: 'flag',
    });
    assert.deepEqual(await getIdentityToken({ identityToken: file, env: {} }), { token: a, source: 'file' });
    assert.deepEqual(await getIdentityToken({ env: { SIGSTORE_ID_TOKEN: b } }), { token: b, source: 'env' });
    await assert.rejects(
      getIdentityToken({ identityToken: join(dir, 'missing'), env: {} }),
      /neither a JWT nor a readable file/,
    );
    writeFileSync(file, 'not a token');
    await assert.rejects(getIdentityToken({ identityToken: file, env: {} }), /does not hold a JWT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('GitHub Actions ambient token: audience sigstore, bearer request token; failures are one line', async () => {
  const token = await requestDevIdToken(issuer, 'ci@example.com');
  let seen: { url?: string; auth?: string } = {};
  let status = 200;
  const server: Server = createServer((req, res) => {
    seen = { url: req.url, auth: req.headers.authorization };
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(status === 200 ? JSON.stringify({ value: token }) : '{"message":"nope"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const env = {
    ACTIONS_ID_TOKEN_REQUEST_URL: `http://127.0.0.1:${port}/token?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'req-token',
  };
  try {
    assert.deepEqual(await getIdentityToken({ env }), { token, source: 'github-actions' });
    assert.equal(seen.auth, 'bearer req-token');
    assert.match(seen.url!, /api-version=2\.0&audience=sigstore$/);
    assert.equal(await githubActionsToken({}), undefined);
    status = 403;
    await assert.rejects(githubActionsToken(env), /github actions id token answered 403/);
  } finally {
    server.close();
  }
});

test('no token and no way to log in: a clear error, not a hang', async () => {
  await assert.rejects(getIdentityToken({ env: {} }), /no identity token, and no OIDC issuer/);
  await assert.rejects(
    getIdentityToken({ env: { PATH: '' }, issuer, interactive: false }),
    (e) => isSignetError(e, 'unauthenticated') && /no terminal/.test(e.message),
  );
  assert.equal(browserCommand({ PATH: '' }, 'linux'), undefined);
  assert.equal(browserCommand({ BROWSER: 'firefox' }, 'linux'), 'firefox');
  assert.equal(browserCommand({}, 'darwin'), 'open');
  await assert.rejects(discoverProvider('ftp://x'), /must be http/);
  await assert.rejects(discoverProvider(`${issuer}/nothing`), /oidc discovery answered 404/);
});
