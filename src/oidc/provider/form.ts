import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OAuthError } from './oauth-error.js';

const CSRF_COOKIE = 'signet_oidc_csrf';

/**
 * Parses `application/x-www-form-urlencoded` bodies (RFC 6749 sends every token request this way) into a plain
 * object. A repeated parameter is an error (RFC 6749 §3.1: parameters MUST NOT be included more than once).
 */
export function addFormParser(app: FastifyInstance): void {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 64 * 1024 },
    (_req, body, done) => {
      const out: Record<string, string> = Object.create(null);
      for (const [k, v] of new URLSearchParams(body as string)) {
        if (k in out) return done(new OAuthError('invalid_request', `parameter ${k} is repeated`), undefined);
        out[k] = v;
      }
      done(null, out);
    },
  );
}

/** The body of a form POST, or a clear error when the request was not a form. */
export function formBody(request: FastifyRequest): Record<string, string> {
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new OAuthError('invalid_request', 'send the parameters as application/x-www-form-urlencoded');
  }
  for (const v of Object.values(body)) {
    if (typeof v !== 'string') throw new OAuthError('invalid_request', 'every parameter must be a string');
  }
  return body as Record<string, string>;
}

/** Query parameters as strings; a repeated parameter is an error. */
export function queryParams(request: FastifyRequest): Record<string, string> {
  const q = request.query as Record<string, unknown>;
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(q ?? {})) {
    if (typeof v !== 'string') throw new OAuthError('invalid_request', `parameter ${k} is repeated`);
    out[k] = v;
  }
  return out;
}

/**
 * Double-submit CSRF token: a random value in an HttpOnly, SameSite=Strict cookie scoped to the provider, and the
 * same value in the form. Another site can make a browser post the form but can neither read nor set the cookie.
 */
export function issueCsrf(request: FastifyRequest, reply: FastifyReply, issuer: URL): string {
  const existing = readCookie(request, CSRF_COOKIE);
  const token = existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : randomBytes(32).toString('base64url');
  const secure = issuer.protocol === 'https:' ? '; Secure' : '';
  void reply.header(
    'set-cookie',
    `${CSRF_COOKIE}=${token}; Path=${issuer.pathname}; HttpOnly; SameSite=Strict${secure}`,
  );
  return token;
}

export function checkCsrf(request: FastifyRequest, formToken: string | undefined): void {
  const cookie = readCookie(request, CSRF_COOKIE);
  const a = Buffer.from(cookie ?? '');
  const b = Buffer.from(formToken ?? '');
  if (a.length === 0 || a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new OAuthError(
      'invalid_request',
      'the form is stale or was not sent from this page: reload it and retry',
      403,
    );
  }
}

function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
