import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { IdTokenKey } from './signing-key.js';

/** The one client the dev provider knows: Sigstore's public client id, also the ID token audience. */
export const CLIENT_ID = 'sigstore';
/** ID tokens live about as long as public-good ones: long enough to get a certificate, no longer. */
export const ID_TOKEN_TTL_SECONDS = 600;

export interface IdTokenRequest {
  email: string;
  nonce?: string;
  /** Unix seconds of the login that produced this token. */
  authTime?: number;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  id_token: string;
  scope: string;
}

/** Signs an OIDC Core ID token for `email` as Fulcio's `email` issuer type expects it. */
export async function mintIdToken(key: IdTokenKey, issuer: string, req: IdTokenRequest, now: number): Promise<string> {
  const claims: Record<string, unknown> & { sub: string } = { sub: req.email, email: req.email, email_verified: true };
  if (req.nonce !== undefined) claims.nonce = req.nonce;
  if (req.authTime !== undefined) claims.auth_time = req.authTime;
  return signIdToken(key, issuer, claims, now);
}

/**
 * Signs an ID token with the provider's key (its algorithm, its kid): `claims` must hold `sub`; issuer, audience
 * (default `sigstore`), times and a random `jti` are added here.
 */
export async function signIdToken(
  key: IdTokenKey,
  issuer: string,
  claims: Record<string, unknown> & { sub: string },
  now: number,
  audience: string = CLIENT_ID,
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + ID_TOKEN_TTL_SECONDS)
    .setJti(randomBytes(16).toString('base64url'))
    .sign(key.privateKey);
}

/** RFC 6749 §5.1 success body. The access token is opaque: nothing here accepts it back. */
export async function tokenResponse(key: IdTokenKey, issuer: string, req: IdTokenRequest, now: number) {
  const body: TokenResponse = {
    access_token: randomBytes(32).toString('base64url'),
    token_type: 'Bearer',
    expires_in: ID_TOKEN_TTL_SECONDS,
    id_token: await mintIdToken(key, issuer, req, now),
    scope: 'openid email',
  };
  return body;
}

/** A deliberately plain email check (addr-spec without quoting): rejects what could not be a mailbox. */
export function isPlausibleEmail(s: unknown): s is string {
  return (
    typeof s === 'string' &&
    s.length <= 254 &&
    /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/.test(s)
  );
}
