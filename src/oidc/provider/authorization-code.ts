import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { OAuthError } from './oauth-error.js';
import { CLIENT_ID } from './id-token.js';
import { TtlMap } from './ttl-map.js';

/** Native-app clients without a local server (RFC 8252 predecessor): the page shows the code to copy. */
export const OOB_REDIRECT = 'urn:ietf:wg:oauth:2.0:oob';
const LOGIN_TTL_MS = 10 * 60_000;
const CODE_TTL_MS = 60_000;

/** A validated authorization request (RFC 6749 §4.1.1 + RFC 7636 §4.3 + OIDC Core §3.1.2.1). */
export interface AuthorizationRequest {
  redirectUri: string;
  state?: string;
  nonce?: string;
  codeChallenge: string;
}

export interface IssuedCode {
  request: AuthorizationRequest;
  email: string;
  authTime: number;
}

/**
 * Thrown for a bad request whose redirect_uri is trustworthy: RFC 6749 §4.1.2.1 says to report it to the client
 * by redirect rather than to the person.
 */
export class RedirectableError extends OAuthError {}

/** Authorization code + PKCE grants, from the authorize request to the single-use code exchange. */
export class AuthorizationCodeFlow {
  readonly #logins: TtlMap<AuthorizationRequest>;
  readonly #codes: TtlMap<IssuedCode>;

  readonly #publicOrigin: string;
  constructor(publicOrigin: string, clock: () => number) {
    this.#publicOrigin = publicOrigin;
    this.#logins = new TtlMap(clock);
    this.#codes = new TtlMap(clock);
  }

  /** Validates the authorize query; returns a login id to carry through the login form. */
  begin(q: Record<string, string>): { loginId: string; request: AuthorizationRequest } {
    if (q.client_id !== CLIENT_ID) throw new OAuthError('invalid_client', `unknown client_id: use ${CLIENT_ID}`);
    const redirectUri = q.redirect_uri;
    if (!redirectUri || !this.#redirectAllowed(redirectUri)) {
      throw new OAuthError('invalid_request', 'redirect_uri must be a loopback http URL, this server, or oob');
    }
    const fail = (code: ConstructorParameters<typeof OAuthError>[0], msg: string) => {
      throw new RedirectableError(code, msg);
    };
    if (q.response_type !== 'code') fail('unsupported_response_type', 'only response_type=code is supported');
    if (!(q.scope ?? '').split(' ').includes('openid')) fail('invalid_scope', 'scope must include openid');
    if (q.code_challenge_method !== 'S256') fail('invalid_request', 'PKCE is required: code_challenge_method=S256');
    if (!/^[A-Za-z0-9_-]{43}$/.test(q.code_challenge ?? '')) {
      fail('invalid_request', 'code_challenge must be base64url(SHA-256(code_verifier))');
    }
    const request: AuthorizationRequest = { redirectUri, codeChallenge: q.code_challenge! };
    if (q.state !== undefined) request.state = q.state;
    if (q.nonce !== undefined) request.nonce = q.nonce;
    const loginId = randomBytes(24).toString('base64url');
    this.#logins.set(loginId, request, LOGIN_TTL_MS);
    return { loginId, request };
  }

  /** The person submitted the login form: issue a code (single use, 60 s). */
  approve(loginId: string, email: string, authTime: number): { request: AuthorizationRequest; code: string } {
    const request = this.#logins.take(loginId);
    if (!request) throw new OAuthError('invalid_request', 'this login has expired or was already used: start again');
    const code = randomBytes(32).toString('base64url');
    this.#codes.set(code, { request, email, authTime }, CODE_TTL_MS);
    return { request, code };
  }

  /** RFC 6749 §4.1.3 + RFC 7636 §4.6: the code, the same redirect_uri and the verifier matching the challenge. */
  exchange(p: Record<string, string>): IssuedCode {
    if (!p.code) throw new OAuthError('invalid_request', 'code is required');
    if (!p.code_verifier) throw new OAuthError('invalid_request', 'code_verifier is required (PKCE)');
    if (!/^[A-Za-z0-9._~-]{43,128}$/.test(p.code_verifier)) {
      throw new OAuthError('invalid_request', 'code_verifier must be 43-128 characters of [A-Za-z0-9._~-]');
    }
    const issued = this.#codes.take(p.code);
    if (!issued) throw new OAuthError('invalid_grant', 'the authorization code is invalid, expired or used');
    if (p.redirect_uri !== issued.request.redirectUri) {
      throw new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request');
    }
    const computed = Buffer.from(createHash('sha256').update(p.code_verifier).digest('base64url'));
    const expected = Buffer.from(issued.request.codeChallenge);
    if (computed.length !== expected.length || !timingSafeEqual(computed, expected)) {
      throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge');
    }
    return issued;
  }

  /** Where to send the browser after login: redirect_uri with code, state and iss (RFC 9207). */
  static redirectWith(request: AuthorizationRequest, params: Record<string, string>): string {
    const url = new URL(request.redirectUri);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    if (request.state !== undefined) url.searchParams.set('state', request.state);
    return url.toString();
  }

  /** RFC 8252 §7.3: loopback redirects on any port; also pages of this server and the oob pseudo-URI. */
  #redirectAllowed(uri: string): boolean {
    if (uri === OOB_REDIRECT) return true;
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return false;
    }
    if (url.hash || url.username || url.password) return false;
    if (url.origin === this.#publicOrigin) return true;
    return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  }
}
