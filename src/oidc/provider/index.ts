import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { SignetError } from '../../errors.js';
import type { Service, ServiceContext } from '../../http/index.js';
import { AuthorizationCodeFlow } from './authorization-code.js';
import { DeviceFlow } from './device-flow.js';
import { CLIENT_ID } from './id-token.js';
import { registerRoutes } from './routes.js';
import { loadOrCreateIdTokenKey } from './signing-key.js';

export { CLIENT_ID, ID_TOKEN_TTL_SECONDS } from './id-token.js';
export { DEV_EMAIL_GRANT } from './routes.js';
export { DEVICE_CODE_GRANT } from './device-flow.js';

/** How the CA should trust this provider (Fulcio's issuer config shape for the `email` type). */
export interface DevOidcIssuerConfig {
  issuerUrl: string;
  clientId: typeof CLIENT_ID;
  type: 'email';
}

export interface DevOidcProvider extends Service {
  issuerUrl: string;
  issuerConfig: DevOidcIssuerConfig;
}

export interface DevOidcOptions {
  /** Milliseconds since the epoch; tests inject a clock. */
  clock?: () => number;
  /** Mount point on the server; the issuer is publicUrl + prefix. */
  prefix?: string;
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
  const key = await loadOrCreateIdTokenKey(join(ctx.dataDir, 'id-token-key.pem'));
  const state = {
    issuer: issuerUrl,
    prefix,
    key,
    clock,
    codes: new AuthorizationCodeFlow(new URL(ctx.publicUrl).origin, clock),
    devices: new DeviceFlow(`${issuerUrl}/device`, clock),
  };
  return {
    name: 'dev-oidc',
    issuerUrl,
    issuerConfig: { issuerUrl, clientId: CLIENT_ID, type: 'email' },
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
      detail: {
        hint: 'listen on 127.0.0.1 (--host 127.0.0.1), turn the dev provider off, or pass --allow-dev-oidc-on-network if every machine that can reach this port is trusted',
      },
    },
  );
}

export { requestDevIdToken } from './dev-token-client.js';
