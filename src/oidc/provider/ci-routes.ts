import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ciClaims, type CiClaims, type CiKind } from './ci-claims.js';
import { formBody, queryParams } from './form.js';
import { CLIENT_ID, ID_TOKEN_TTL_SECONDS, signIdToken } from './id-token.js';
import { OAuthError } from './oauth-error.js';
import type { IdTokenKey } from './signing-key.js';
import type { TtlMap } from './ttl-map.js';

/** The scripted grant for CI workload tokens: the form carries the claims to set, by claim name. */
export const DEV_CI_GRANT = 'urn:signet:params:oauth:grant-type:dev-ci';

/** How long an Actions-style request token (ACTIONS_ID_TOKEN_REQUEST_TOKEN) may fetch ID tokens: a job's hour. */
const ACTIONS_REQUEST_TTL_MS = 60 * 60 * 1000;

export interface CiIssuerState {
  /** This CI issuer's URL, e.g. http://127.0.0.1:3000/oidc/github. */
  issuer: string;
  kind: CiKind;
  key: IdTokenKey;
  clock: () => number;
  /** Actions request tokens, by SHA-256 of the token (the secret itself is never kept). */
  actionsRequests: TtlMap<CiClaims>;
}

/**
 * One CI issuer (GitHub Actions or GitLab CI, imitated): discovery and JWKS like the real one, a scripted token
 * grant, and for GitHub the job-side endpoint that ACTIONS_ID_TOKEN_REQUEST_URL points at, so clients that read
 * ambient Actions credentials can be run locally.
 */
export async function registerCiRoutes(app: FastifyInstance, s: CiIssuerState): Promise<void> {
  app.get('/.well-known/openid-configuration', async () => ({
    issuer: s.issuer,
    jwks_uri: `${s.issuer}/jwks`,
    token_endpoint: `${s.issuer}/token`,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [s.key.alg],
    scopes_supported: ['openid'],
    grant_types_supported: [DEV_CI_GRANT],
    claims_supported: [
      'iss',
      'sub',
      'aud',
      'exp',
      'iat',
      'nbf',
      'jti',
      ...Object.keys(ciClaims(s.kind, sample(s.kind))),
    ],
  }));
  app.get('/jwks', async (_req, reply) => reply.header('cache-control', 'max-age=300').send({ keys: [s.key.jwk] }));
  app.post('/token', async (req, reply) => {
    const p = formBody(req);
    void reply.header('cache-control', 'no-store');
    if (p.grant_type !== DEV_CI_GRANT) {
      throw new OAuthError('unsupported_grant_type', `this CI issuer only grants ${DEV_CI_GRANT}`);
    }
    if (p.client_id !== undefined && p.client_id !== CLIENT_ID) {
      throw new OAuthError('invalid_client', `unknown client_id: use ${CLIENT_ID}`);
    }
    const idToken = await signIdToken(s.key, s.issuer, ciClaims(s.kind, p), now(s));
    return {
      access_token: randomBytes(32).toString('base64url'),
      token_type: 'Bearer',
      expires_in: ID_TOKEN_TTL_SECONDS,
      id_token: idToken,
      scope: 'openid',
    };
  });
  if (s.kind !== 'github') return;
  app.post('/actions_request', async (req, reply) => {
    const claims = ciClaims(s.kind, formBody(req));
    const token = randomBytes(32).toString('base64url');
    s.actionsRequests.set(digest(token), claims, ACTIONS_REQUEST_TTL_MS);
    return reply.header('cache-control', 'no-store').send({
      url: `${s.issuer}/actions_token?api-version=2.0`,
      token,
      expires_in: ACTIONS_REQUEST_TTL_MS / 1000,
    });
  });
  app.get('/actions_token', async (req, reply) => {
    const claims = s.actionsRequests.get(digest(bearer(req)));
    if (!claims) throw new OAuthError('invalid_client', 'unknown or expired request token');
    // GitHub's default audience is the owner's URL; sigstore clients ask for `sigstore`.
    const audience = queryParams(req).audience || `https://github.com/${claims.repository_owner}`;
    if (!/^[\x21-\x7e]{1,255}$/.test(audience)) throw new OAuthError('invalid_request', 'audience is not valid');
    const value = await signIdToken(s.key, s.issuer, claims, now(s), audience);
    return reply.header('cache-control', 'no-store').send({ count: 1, value });
  });
}

function bearer(req: FastifyRequest): string {
  const auth = req.headers.authorization;
  const m = typeof auth === 'string' ? /^bearer +(\S+)$/i.exec(auth) : null;
  if (!m) throw new OAuthError('invalid_client', 'send the request token as Authorization: bearer <token>');
  return m[1]!;
}

/** Looking a secret up by its hash keeps the map from comparing secrets byte by byte. */
const digest = (token: string) => createHash('sha256').update(token).digest('base64url');
const now = (s: CiIssuerState) => Math.floor(s.clock() / 1000);
const sample = (kind: CiKind) =>
  kind === 'github'
    ? { workflow_ref: 'o/r/.github/workflows/w.yml@refs/heads/main', environment: 'e' }
    : { project_path: 'g/p', environment: 'e' };
