import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requireOwnHost } from '../../http/index.js';
import { AuthorizationCodeFlow, OOB_REDIRECT, RedirectableError } from './authorization-code.js';
import { DEVICE_CODE_GRANT, type DeviceFlow } from './device-flow.js';
import { addFormParser, checkCsrf, formBody, issueCsrf, queryParams } from './form.js';
import { escapeHtml, sendPage } from './html.js';
import { CLIENT_ID, isPlausibleEmail, tokenResponse } from './id-token.js';
import { OAuthError, oauthErrorHandler } from './oauth-error.js';
import { deviceForm, loginForm, oobCodePage } from './pages.js';
import type { IdTokenKey } from './signing-key.js';
import { CI_KINDS, type CiClaims } from './ci-claims.js';
import { registerCiRoutes } from './ci-routes.js';
import type { TtlMap } from './ttl-map.js';

/** The scripted grant for tests and CI (`signet oidc token`): an extension grant (RFC 6749 §4.5) by URI. */
export const DEV_EMAIL_GRANT = 'urn:signet:params:oauth:grant-type:dev-email';

export interface ProviderState {
  issuer: string;
  /** Path prefix of the provider on the server, e.g. /oidc. */
  prefix: string;
  key: IdTokenKey;
  codes: AuthorizationCodeFlow;
  devices: DeviceFlow;
  actionsRequests: TtlMap<CiClaims>;
  clock: () => number;
}

/** Every request to the provider is a short form or JSON object. */
const BODY_LIMIT = 64 * 1024;

export async function registerRoutes(app: FastifyInstance, s: ProviderState): Promise<void> {
  addFormParser(app);
  // Endpoints that hand out codes or tokens answer only requests addressed to this server (DNS rebinding).
  const small = { bodyLimit: BODY_LIMIT };
  const minting = { ...small, onRequest: requireOwnHost(s.issuer) };
  app.setErrorHandler(oauthErrorHandler);
  app.setNotFoundHandler((_req, reply) =>
    reply.code(404).send({ error: 'invalid_request', error_description: 'not found' }),
  );
  app.get('/.well-known/openid-configuration', async () => discovery(s));
  app.get('/jwks', async (_req, reply) => reply.header('cache-control', 'max-age=300').send({ keys: [s.key.jwk] }));
  app.get('/authorize', (req, reply) => authorizePage(s, req, reply));
  app.post('/authorize', small, (req, reply) => authorizeSubmit(s, req, reply));
  app.post('/device_authorization', minting, async (req, reply) =>
    reply.header('cache-control', 'no-store').send(s.devices.start(clientParams(req))),
  );
  app.get('/device', (req, reply) => {
    const userCode = queryParams(req).user_code ?? '';
    return sendPage(
      reply,
      200,
      'Approve a device',
      deviceForm('device', issueCsrf(req, reply, new URL(s.issuer)), userCode),
    );
  });
  app.post('/device', small, (req, reply) => deviceSubmit(s, req, reply));
  app.post('/token', minting, (req, reply) => token(s, req, reply));
  for (const kind of CI_KINDS) {
    const ci = { issuer: `${s.issuer}/${kind}`, kind, key: s.key, clock: s.clock, actionsRequests: s.actionsRequests };
    await app.register(async (scope) => registerCiRoutes(scope, ci), { prefix: `/${kind}` });
  }
}

function discovery(s: ProviderState) {
  return {
    issuer: s.issuer,
    authorization_endpoint: `${s.issuer}/authorize`,
    token_endpoint: `${s.issuer}/token`,
    jwks_uri: `${s.issuer}/jwks`,
    device_authorization_endpoint: `${s.issuer}/device_authorization`,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', DEVICE_CODE_GRANT, DEV_EMAIL_GRANT],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: [s.key.alg],
    scopes_supported: ['openid', 'email'],
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'email', 'email_verified', 'nonce', 'auth_time'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
    authorization_response_iss_parameter_supported: true,
  };
}

function authorizePage(s: ProviderState, req: FastifyRequest, reply: FastifyReply) {
  const q = queryParams(req);
  let begun;
  try {
    begun = s.codes.begin(q);
  } catch (e) {
    if (e instanceof RedirectableError && q.redirect_uri !== OOB_REDIRECT) {
      const params = { error: e.error, error_description: e.description, iss: s.issuer };
      return reply.redirect(
        AuthorizationCodeFlow.redirectWith({ redirectUri: q.redirect_uri!, state: q.state, codeChallenge: '' }, params),
        303,
      );
    }
    throw e;
  }
  const csrf = issueCsrf(req, reply, new URL(s.issuer));
  return sendPage(reply, 200, 'Sign in', loginForm('authorize', begun.loginId, csrf));
}

function authorizeSubmit(s: ProviderState, req: FastifyRequest, reply: FastifyReply) {
  const f = formBody(req);
  checkCsrf(req, f.csrf);
  if (!isPlausibleEmail(f.email)) {
    if (!f.login_id) throw new OAuthError('invalid_request', 'login_id is required');
    const csrf = issueCsrf(req, reply, new URL(s.issuer));
    return sendPage(reply, 400, 'Sign in', loginForm('authorize', f.login_id, csrf, 'That is not an email address.'));
  }
  const { request, code } = s.codes.approve(f.login_id ?? '', f.email, Math.floor(s.clock() / 1000));
  if (request.redirectUri === OOB_REDIRECT) return sendPage(reply, 200, 'Signed in', oobCodePage(code, request.state));
  return reply.redirect(AuthorizationCodeFlow.redirectWith(request, { code, iss: s.issuer }), 303);
}

function deviceSubmit(s: ProviderState, req: FastifyRequest, reply: FastifyReply) {
  const f = formBody(req);
  checkCsrf(req, f.csrf);
  const csrf = issueCsrf(req, reply, new URL(s.issuer));
  const again = (msg: string) =>
    sendPage(reply, 400, 'Approve a device', deviceForm('device', csrf, f.user_code ?? '', msg));
  if (f.action === 'deny') {
    s.devices.decide(f.user_code ?? '', 'deny');
    return sendPage(reply, 200, 'Denied', '<p>The device was not signed in. You can close this page.</p>');
  }
  if (!isPlausibleEmail(f.email)) return again('That is not an email address.');
  try {
    s.devices.decide(f.user_code ?? '', { email: f.email, authTime: Math.floor(s.clock() / 1000) });
  } catch (e) {
    if (e instanceof OAuthError) return again(e.description);
    throw e;
  }
  return sendPage(reply, 200, 'Device approved', `<p>Signed in as ${escapeHtml(f.email)}. Return to your device.</p>`);
}

async function token(s: ProviderState, req: FastifyRequest, reply: FastifyReply) {
  const p = clientParams(req);
  const now = Math.floor(s.clock() / 1000);
  void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  switch (p.grant_type) {
    case 'authorization_code': {
      if (p.client_id !== CLIENT_ID) throw new OAuthError('invalid_client', `unknown client_id: use ${CLIENT_ID}`);
      const issued = s.codes.exchange(p);
      return tokenResponse(
        s.key,
        s.issuer,
        { email: issued.email, nonce: issued.request.nonce, authTime: issued.authTime },
        now,
      );
    }
    case DEVICE_CODE_GRANT: {
      const approved = s.devices.poll(p);
      return tokenResponse(s.key, s.issuer, approved, now);
    }
    case DEV_EMAIL_GRANT: {
      if (!isPlausibleEmail(p.email)) throw new OAuthError('invalid_request', 'email must be an email address');
      return tokenResponse(s.key, s.issuer, { email: p.email }, now);
    }
    case undefined:
      throw new OAuthError('invalid_request', 'grant_type is required');
    default:
      throw new OAuthError('unsupported_grant_type', `unsupported grant_type: ${p.grant_type.slice(0, 100)}`);
  }
}

/**
 * The form parameters, with client_id taken from HTTP Basic when the client authenticates that way (Go's oauth2
 * package tries Basic first). The client is public: a secret, if any, is ignored.
 */
function clientParams(req: FastifyRequest): Record<string, string> {
  const p = { ...formBody(req) };
  const auth = req.headers.authorization;
  if (typeof auth === 'string' && /^basic /i.test(auth)) {
    const decoded = Buffer.from(auth.slice(6).trim(), 'base64').toString('utf8');
    let id: string;
    try {
      id = decodeURIComponent(decoded.split(':')[0] ?? '');
    } catch {
      throw new OAuthError('invalid_client', 'malformed Basic credentials');
    }
    if (p.client_id !== undefined && p.client_id !== id) {
      throw new OAuthError('invalid_request', 'client_id in the body and in Authorization differ');
    }
    p.client_id = id;
  }
  return p;
}
