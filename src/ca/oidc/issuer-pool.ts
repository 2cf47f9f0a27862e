import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';
import { SignetError } from '../../errors.js';
import type { IdentityConfig, IssuerConfig } from './config.js';
import { discoverIssuer, type IssuerKeys } from './discovery.js';
import { compileMetaIssuer } from './meta-issuer.js';

/** A token whose signature and claims verified, with the (concrete) issuer that vouches for it. */
export interface AuthenticatedToken {
  issuer: IssuerConfig;
  claims: JWTPayload;
}

export interface IssuerPoolOptions {
  /** Clock for exp/nbf/iat checks (tests). */
  now?: () => Date;
  /** Allowed clock skew, seconds (default 60). */
  clockToleranceSec?: number;
  /** Minimum time between two JWKS fetches of one issuer (default 30 s). */
  jwksCooldownMs?: number;
}

/** Asymmetric JWS algorithms only: never `none` or HMAC, whose key an issuer's public JWKS cannot hold. */
export const ALLOWED_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
];
/** Tokens above this size are refused before any parsing (Fulcio's OOM advisory GHSA-f83f-xpx7-ffpw). */
export const MAX_TOKEN_BYTES = 32 * 1024;
const MAX_CACHED_ISSUERS = 100;

/**
 * The CA's trusted issuers. `authenticate` checks a compact JWS: size and shape, issuer trusted (fixed, then
 * meta), algorithm, signature against the issuer's JWKS (found by discovery and cached), `aud` = the client ID,
 * exp/nbf/iat within the skew. Each failure is an `unauthenticated` SignetError saying which check failed; the
 * token itself never appears in a message.
 */
export class IssuerPool {
  readonly #keys = new Map<string, Promise<IssuerKeys>>();
  readonly #meta: [RegExp, IssuerConfig][];

  readonly #options: IssuerPoolOptions;
  constructor(
    readonly config: IdentityConfig,
    options: IssuerPoolOptions = {},
  ) {
    this.#options = options;
    this.#meta = Object.entries(config.metaIssuers).map(([p, i]) => [compileMetaIssuer(p), i]);
  }

  async authenticate(token: string): Promise<AuthenticatedToken> {
    const iss = unverifiedIssuer(token);
    const issuer = this.match(iss);
    const alg = checkHeader(token);
    const keys = await this.#keysFor(iss);
    if (keys.algorithms && !keys.algorithms.includes(alg)) {
      throw fail(`token algorithm ${alg} is not one the issuer advertises (${keys.algorithms.join(', ')})`);
    }
    const now = this.#options.now?.() ?? new Date();
    const tolerance = this.#options.clockToleranceSec ?? 60;
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, keys.jwks, {
        issuer: iss,
        algorithms: ALLOWED_ALGORITHMS,
        currentDate: now,
        clockTolerance: tolerance,
      }));
    } catch (e) {
      throw explain(e, issuer, now);
    }
    checkAudience(claims, issuer.clientId);
    if (typeof claims.iat === 'number' && claims.iat > now.getTime() / 1000 + tolerance) {
      throw fail(`token was issued in the future (iat ${new Date(claims.iat * 1000).toISOString()})`);
    }
    if (typeof claims.exp !== 'number') throw fail('token has no exp claim');
    return { issuer, claims };
  }

  /** The trusted issuer for `iss`: a fixed one, or a meta issuer instantiated with the token's URL. */
  match(iss: string): IssuerConfig {
    const fixed = this.config.oidcIssuers[iss];
    if (fixed) return { ...fixed, issuerUrl: iss };
    for (const [re, issuer] of this.#meta) if (re.test(iss)) return { ...issuer, issuerUrl: iss };
    throw fail(`issuer "${printable(iss)}" is not trusted by this CA`);
  }

  #keysFor(iss: string): Promise<IssuerKeys> {
    let p = this.#keys.get(iss);
    if (!p) {
      if (this.#keys.size >= MAX_CACHED_ISSUERS) this.#keys.delete(this.#keys.keys().next().value!);
      p = discoverIssuer(iss, this.#options.jwksCooldownMs);
      this.#keys.set(iss, p);
      // A failed discovery is retried on the next request instead of being cached.
      p.catch(() => this.#keys.delete(iss));
    }
    return p;
  }
}

function unverifiedIssuer(token: string): string {
  if (typeof token !== 'string' || token === '') throw fail('no OIDC identity token was provided');
  if (token.length > MAX_TOKEN_BYTES) throw fail(`token is larger than ${MAX_TOKEN_BYTES} bytes`);
  if (token.split('.').length !== 3) throw fail('token is not a compact JWS (three base64url parts)');
  let payload: JWTPayload;
  try {
    payload = decodeJwt(token);
  } catch {
    throw fail('token payload is not base64url JSON');
  }
  if (typeof payload.iss !== 'string' || payload.iss === '') throw fail('token has no iss claim');
  return payload.iss;
}

function checkHeader(token: string): string {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw fail('token header is not base64url JSON');
  }
  if (typeof alg !== 'string' || !ALLOWED_ALGORITHMS.includes(alg)) {
    throw fail(`token algorithm ${JSON.stringify(printable(String(alg)))} is not allowed (asymmetric signatures only)`);
  }
  return alg;
}

function checkAudience(claims: JWTPayload, clientId: string): void {
  const aud = claims.aud;
  const list = Array.isArray(aud) ? aud : aud === undefined ? [] : [aud];
  if (!list.includes(clientId)) {
    throw fail(`token audience ${JSON.stringify(printable(list.join(',')))} is not ${JSON.stringify(clientId)}`);
  }
}

function explain(e: unknown, issuer: IssuerConfig, now: Date): SignetError {
  if (e instanceof SignetError) return e;
  if (e instanceof errors.JWTExpired) {
    const exp = (e.payload as JWTPayload).exp;
    return fail(
      `token expired at ${typeof exp === 'number' ? new Date(exp * 1000).toISOString() : 'an unknown time'} (now ${now.toISOString()})`,
    );
  }
  if (e instanceof errors.JWTClaimValidationFailed) {
    const p = e.payload as JWTPayload;
    if (e.claim === 'nbf' && typeof p.nbf === 'number')
      return fail(`token is not valid before ${new Date(p.nbf * 1000).toISOString()}`);
    if (e.claim === 'iss') return fail(`token issuer does not match "${issuer.issuerUrl}"`);
    return fail(`token claim ${e.claim} is invalid: ${e.reason}`);
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) return fail('token signature does not verify');
  if (e instanceof errors.JWKSNoMatchingKey || e instanceof errors.JWKSMultipleMatchingKeys) {
    return fail('token signature does not verify: no key of the issuer matches the token');
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return fail('token algorithm is not allowed');
  if (e instanceof errors.JWKSTimeout || e instanceof errors.JOSEError) {
    return fail(
      `cannot verify the token with the keys of issuer "${issuer.issuerUrl}" (${(e as Error).message.split('\n')[0]})`,
    );
  }
  return fail('token could not be verified');
}

function printable(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);
}

function fail(message: string): SignetError {
  return new SignetError('unauthenticated', message);
}
