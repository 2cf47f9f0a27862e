import type { FastifyInstance } from 'fastify';
import { SignetError } from '../../errors.js';
import type { Service, ServiceContext } from '../../http/index.js';
import { AuthorizationCodeFlow } from './authorization-code.js';
import { DeviceFlow } from './device-flow.js';
import { CLIENT_ID } from './id-token.js';
import { registerRoutes } from './routes.js';
import { loadOrCreateIdTokenKey, type IdTokenAlg } from './signing-key.js';
import { CI_KINDS, type CiClaims } from './ci-claims.js';
import { TtlMap } from './ttl-map.js';

export { CLIENT_ID, ID_TOKEN_TTL_SECONDS } from './id-token.js';
export { DEV_EMAIL_GRANT } from './routes.js';
export { DEVICE_CODE_GRANT } from './device-flow.js';
export { DEV_CI_GRANT } from './ci-routes.js';
export { CI_KINDS, githubActionsClaims, gitlabCiClaims, type CiKind } from './ci-claims.js';
export { ID_TOKEN_ALGS, type IdTokenAlg } from './signing-key.js';

/**
 * How the CA should trust one of this provider's issuers (Fulcio's issuer config): the email issuer, and one
 * `ci-provider` issuer per CI system with the public-good template of that system, so CI tokens get the same
 * certificate extensions as real GitHub Actions or GitLab CI tokens.
 */
export interface DevOidcIssuerConfig {
  issuerUrl: string;
  clientId: string;
  type: 'email' | 'ci-provider';
  ciProvider?: 'github-workflow' | 'gitlab-pipeline';
}

export interface DevOidcProvider extends Service {
  /** The email issuer, e.g. http://127.0.0.1:3000/oidc. */
  issuerUrl: string;
  /** The email issuer, then the CI issuers (`<issuerUrl>/github`, `<issuerUrl>/gitlab`). */
  issuerConfigs: DevOidcIssuerConfig[];
}

export interface DevOidcOptions {
  /** Milliseconds since the epoch; tests inject a clock. */
  clock?: () => number;
  /** Mount point on the server; the issuer is publicUrl + prefix. */
  prefix?: string;
  /** ID-token algorithm: RS256 (default, what OIDC requires every provider to offer) or ES256. */
  idTokenAlg?: IdTokenAlg;
}

/**
 * The dev identity provider: an OIDC issuer at `<publicUrl>/oidc` that signs an ID token for whatever email the
 * person (or `signet oidc token`) asks for. Only for local stacks: see `assertDevOidcExposure`.
 *
 * @example
 *   const oidc = await createDevOidcProvider({ dataDir, publicUrl: 'http://localhost:3000', logger });
 *   await oidc.register(app); // serves /oidc/.well-known/openid-configuration, /oidc/jwks, /oidc/token ...
 */
export async function createDevOidcProvider(ctx: ServiceContext & DevOidcOptions): Promise<DevOidcProvider> {
  const clock = ctx.clock ?? Date.now;
  const prefix = ctx.prefix ?? '/oidc';
  const issuerUrl = ctx.publicUrl.replace(/\/+$/, '') + prefix;
  const key = await loadOrCreateIdTokenKey(ctx.dataDir, ctx.idTokenAlg ?? 'RS256');
  const state = {
    issuer: issuerUrl,
    prefix,
    key,
    clock,
    codes: new AuthorizationCodeFlow(new URL(ctx.publicUrl).origin, clock),
    devices: new DeviceFlow(`${issuerUrl}/device`, clock),
    actionsRequests: new TtlMap<CiClaims>(clock),
  };
  const ciProvider = { github: 'github-workflow', gitlab: 'gitlab-pipeline' } as const;
  return {
    name: 'dev-oidc',
    issuerUrl,
    issuerConfigs: [
      { issuerUrl, clientId: CLIENT_ID, type: 'email' },
      ...CI_KINDS.map((kind) => ({
        issuerUrl: `${issuerUrl}/${kind}`,
        clientId: CLIENT_ID,
        type: 'ci-provider' as const,
        ciProvider: ciProvider[kind],
      })),
    ],
    async register(app: FastifyInstance) {
      await app.register(async (scope) => registerRoutes(scope, state), { prefix });
    },
    async close() {},
  };
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\]|::ffff:127(\.\d{1,3}){3})$/i;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host.trim());
}

/**
 * The dev provider hands out any identity to whoever asks, so a stack listening beyond loopback with it on could
 * let anyone on the network get certificates in any name. Refuse unless the operator said so explicitly.
 */
export function assertDevOidcExposure(opts: { host: string; devOidc: boolean; allowOnNetwork: boolean }): void {
  if (!opts.devOidc || opts.allowOnNetwork || isLoopbackHost(opts.host)) return;
  throw new SignetError(
    'forbidden',
    `refusing to serve the dev identity provider on ${opts.host}: it signs a token for any email anyone types`,
    {
      detail: { option: 'allowDevOidcOnNetwork' },
    },
  );
}

export { requestDevActionsCredentials, requestDevCiToken, requestDevIdToken } from './dev-token-client.js';
