import { createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import { SignetError } from '../../errors.js';

/** What the CA keeps per issuer after OIDC discovery: its key set (cached by jose, refetched on an unknown kid). */
export interface IssuerKeys {
  jwks: JWTVerifyGetKey;
  /** `id_token_signing_alg_values_supported`, when the issuer lists it. */
  algorithms?: string[];
}

const DISCOVERY_TIMEOUT_MS = 10_000;
const MAX_DOCUMENT_BYTES = 64 * 1024;

/**
 * Fetches `{issuer}/.well-known/openid-configuration` (no redirects, 10 s), checks its `issuer` equals the URL, and
 * makes a remote key set for its `jwks_uri`. The key set is refetched when a token names an unknown `kid`, at most
 * once per `jwksCooldownMs` so tokens with random key ids cannot make the CA hammer the issuer.
 */
export async function discoverIssuer(issuerUrl: string, jwksCooldownMs = 30_000): Promise<IssuerKeys> {
  const url = `${issuerUrl.replace(/\/$/, '')}/.well-known/openid-configuration`;
  let doc: { issuer?: unknown; jwks_uri?: unknown; id_token_signing_alg_values_supported?: unknown };
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS) });
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    const text = await res.text();
    if (text.length > MAX_DOCUMENT_BYTES) throw new Error('document too large');
    doc = JSON.parse(text);
  } catch (e) {
    throw new SignetError('unauthenticated', `cannot fetch the OIDC discovery document of issuer "${issuerUrl}"`, {
      cause: e,
    });
  }
  if (doc.issuer !== issuerUrl) {
    throw new SignetError('unauthenticated', `the discovery document of "${issuerUrl}" names a different issuer`);
  }
  if (typeof doc.jwks_uri !== 'string')
    throw new SignetError('unauthenticated', `issuer "${issuerUrl}" has no jwks_uri`);
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(doc.jwks_uri);
  } catch {
    throw new SignetError('unauthenticated', `issuer "${issuerUrl}" has an invalid jwks_uri`);
  }
  const algs = doc.id_token_signing_alg_values_supported;
  return {
    jwks: createRemoteJWKSet(jwksUrl, { timeoutDuration: DISCOVERY_TIMEOUT_MS, cooldownDuration: jwksCooldownMs }),
    algorithms: Array.isArray(algs) ? algs.filter((a): a is string => typeof a === 'string') : undefined,
  };
}
