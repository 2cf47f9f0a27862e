import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { SignetError } from '../../errors.js';
import type { ProviderMetadata } from './discovery.js';

/** True when `value` has the shape of a compact JWS with a JSON header (not a file path). */
export function looksLikeJwt(value: string): boolean {
  const v = value.trim();
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(v)) return false;
  try {
    decodeProtectedHeader(v);
    decodeJwt(v);
    return true;
  } catch {
    return false;
  }
}

/**
 * Checks an ID token an interactive flow received: signature against the provider's JWKS, issuer, audience
 * (the client id), expiry, and the nonce when one was sent.
 */
export async function verifyIdToken(
  token: string,
  provider: ProviderMetadata,
  clientId: string,
  nonce?: string,
): Promise<void> {
  const jwks = createRemoteJWKSet(new URL(provider.jwks_uri));
  let payload;
  try {
    ({ payload } = await jwtVerify(token, jwks, { issuer: provider.issuer, audience: clientId }));
  } catch (e) {
    throw new SignetError(
      'unauthenticated',
      `the identity provider's ID token does not verify: ${(e as Error).message}`,
    );
  }
  if (nonce !== undefined && payload.nonce !== nonce) {
    throw new SignetError('unauthenticated', 'the ID token nonce does not match the login request');
  }
}

/** The identity a token names (email when present, else sub), for progress messages. */
export function tokenIdentity(token: string): string {
  try {
    const c = decodeJwt(token);
    return String(c.email ?? c.sub ?? 'unknown');
  } catch {
    return 'unknown';
  }
}
