import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignetError } from '../../errors.js';
import { httpError, postForm, type FetchLike, type ProviderMetadata } from './discovery.js';
import { verifyIdToken } from './id-token.js';

export interface BrowserFlowOptions {
  provider: ProviderMetadata;
  clientId: string;
  clientSecret?: string;
  /** Shows the login page to the person: opens a browser (or prints the URL). */
  openUrl: (url: string) => Promise<void>;
  timeoutMs?: number;
  fetch?: FetchLike;
}

/**
 * OAuth 2.0 authorization code flow with PKCE (RFC 7636, S256) and a loopback redirect (RFC 8252 §7.3), like
 * sigstore/sigstore's oauthflow: random state and nonce, scopes `openid email`, the code exchanged for an ID token
 * whose signature, audience and nonce are checked.
 */
export async function browserLogin(options: BrowserFlowOptions): Promise<string> {
  const state = randomBytes(16).toString('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const verifier = randomBytes(32).toString('base64url');
  const callback = await listenForCallback(state, options.timeoutMs ?? 300_000);
  try {
    const redirectUri = `http://127.0.0.1:${callback.port}/auth/callback`;
    const url = new URL(options.provider.authorization_endpoint);
    const params: Record<string, string> = {
      response_type: 'code',
      client_id: options.clientId,
      redirect_uri: redirectUri,
      scope: 'openid email',
      state,
      nonce,
      code_challenge: createHash('sha256').update(verifier).digest('base64url'),
      code_challenge_method: 'S256',
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    await options.openUrl(url.toString());
    const code = await callback.code;
    const form: Record<string, string> = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      client_id: options.clientId,
      code_verifier: verifier,
    };
    if (options.clientSecret) form.client_secret = options.clientSecret;
    const answer = await postForm('oidc token exchange', options.provider.token_endpoint, form, options.fetch);
    const idToken = answer.json.id_token;
    if (answer.status !== 200 || typeof idToken !== 'string') {
      throw httpError('oidc token exchange', answer.status, JSON.stringify(answer.json));
    }
    await verifyIdToken(idToken, options.provider, options.clientId, nonce);
    return idToken;
  } finally {
    callback.close();
  }
}

interface Callback {
  port: number;
  code: Promise<string>;
  close(): void;
}

/** A one-shot loopback server for `/auth/callback` that checks the state before taking the code. */
function listenForCallback(state: string, timeoutMs: number): Promise<Callback> {
  return new Promise((resolveListen, rejectListen) => {
    let settle: { resolve: (c: string) => void; reject: (e: Error) => void };
    const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
    code.catch(() => {}); // observed by the caller; avoid an unhandled rejection if it never awaits
    const timer = setTimeout(
      () => settle.reject(new SignetError('pushback', `no login within ${Math.round(timeoutMs / 1000)} s`)),
      timeoutMs,
    );
    const server = createServer((req, res) => handle(req, res, state, settle));
    server.on('error', (e) => {
      clearTimeout(timer); // no login can come: the CLI exits with the error now, not when the timer fires
      rejectListen(e);
    });
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolveListen({
        port,
        code,
        close: () => {
          clearTimeout(timer);
          server.closeAllConnections();
          server.close();
        },
      });
    });
  });
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  state: string,
  settle: { resolve: (c: string) => void; reject: (e: Error) => void },
): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  if (url.pathname !== '/auth/callback') {
    res.writeHead(404).end();
    return;
  }
  const got = Buffer.from(url.searchParams.get('state') ?? '');
  const want = Buffer.from(state);
  const error = url.searchParams.get('error');
  const code = url.searchParams.get('code');
  if (got.length !== want.length || !timingSafeEqual(got, want)) {
    page(res, 400, 'Login failed: the state does not match. Start the login again.');
    settle.reject(new SignetError('unauthenticated', 'oidc login: the callback state does not match the request'));
  } else if (error) {
    page(res, 400, 'Login failed. You may close this window.');
    const description = url.searchParams.get('error_description');
    settle.reject(
      new SignetError('unauthenticated', `oidc login failed: ${error}${description ? `: ${description}` : ''}`),
    );
  } else if (!code) {
    page(res, 400, 'Login failed: no code. Start the login again.');
    settle.reject(new SignetError('unauthenticated', 'oidc login: the callback has no code'));
  } else {
    page(res, 200, 'Signed in. You may close this window and return to the terminal.');
    settle.resolve(code);
  }
}

function page(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(`<!doctype html><meta charset="utf-8"><title>signet</title><p>${text}</p>`);
}
