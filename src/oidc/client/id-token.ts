import { SignetError } from '../../errors.js';
import type { ProviderMetadata } from './discovery.js';

/** True when `value` has the shape of a compact JWS with a JSON header (not a file path). */
export function looksLikeJwt(value: string): boolean {
  const v = value.trim();
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(v)) return false;
  try {
    jsonPart(v, 0);
    jsonPart(v, 1);
    return true;
  } catch {
    return false;
  }
}

/**
 * Part `index` of a compact JWS (0 the header, 1 the claims), decoded but not verified; throws unless it is a JSON
 * object. jose itself is loaded only to verify a signature, which a run that only reads a token never does.
 */
function jsonPart(token: string, index: 0 | 1): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('not a compact JWS');
  const value: unknown = JSON.parse(Buffer.from(parts[index]!, 'base64url').toString('utf8'));
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object');
  return value as Record<string, unknown>;
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
  const { createRemoteJWKSet, jwtVerify } = await import('jose');
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
    const c = jsonPart(token, 1);
    return String(c.email ?? c.sub ?? 'unknown');
  } catch {
    return 'unknown';
  }
}
