import type { FastifyInstance } from 'fastify';
import type { Service, ServiceContext } from '../http/index.js';
import { CertificateAuthority } from './authority.js';
import type { CtLog } from './certificate/sct-list.js';
import { registerCaRoutes } from './http.js';
import { ensureCa, generatedPassword, type CaChain } from './keys/ca-store.js';
import { parseIdentityConfig, type IdentityConfig, type IssuerConfig } from './oidc/config.js';
import { IssuerPool, type IssuerPoolOptions } from './oidc/issuer-pool.js';

export interface CaServiceOptions {
  /** Trusted issuers: a parsed Fulcio config, or a list of fixed issuers (e.g. the dev provider's issuerConfigs). */
  issuers: IdentityConfig | FixedIssuer[];
  /** The CT log for embedded SCTs; without one, certificates come back as `signedCertificateDetachedSct`. */
  ctLog?: CtLog;
  /** A chain + key loaded by the caller (`--ca-cert-chain/--ca-key`); otherwise the data dir's CA is used. */
  ca?: CaChain;
  /** Password of the data dir's CA keys; defaults to the generated `ca-password` file (the `signet up` path). */
  password?: string;
  oidc?: IssuerPoolOptions;
  now?: () => Date;
}

export interface CaService extends Service {
  readonly authority: CertificateAuthority;
  /** The CA chain, intermediate then root, as PEM. */
  chainPem(): string[];
  /** What trusted_root.json needs: the chain (intermediate, root) as DER, when it became valid, and the CA's URL. */
  trust(): { certChainDer: Buffer[]; validFrom: Date; uri: string };
}

/**
 * The Fulcio-compatible CA as a stack service: `/api/v2/signingCert`, `/api/v2/trustBundle`,
 * `/api/v2/configuration`, `/api/v1/signingCert`, `/api/v1/rootCert`.
 *
 * @example
 *   const ca = await createCaService({ ...ctx, issuers: devOidc.issuerConfigs, ctLog });
 *   await ca.register(app);
 */
export async function createCaService(ctx: ServiceContext & CaServiceOptions): Promise<CaService> {
  const chain = ctx.ca ?? ensureCa(ctx.dataDir, ctx.password ?? generatedPassword(ctx.dataDir));
  const identity = Array.isArray(ctx.issuers) ? identityFromIssuers(ctx.issuers) : ctx.issuers;
  const authority = new CertificateAuthority(chain, new IssuerPool(identity, ctx.oidc), ctx.ctLog, ctx.now);
  return {
    name: 'ca',
    authority,
    async register(app: FastifyInstance) {
      await app.register(async (scope) =>
        registerCaRoutes(scope, authority, {
          publicUrl: ctx.publicUrl,
          onIssued: (sct) => ctx.metrics?.certificateIssued(sct),
        }),
      );
    },
    async close() {},
    chainPem: () => authority.chainPem(),
    trust: () => ({
      certChainDer: chain.chain.map((c) => c.raw),
      validFrom: new Date(chain.chain[0]!.validFrom),
      uri: ctx.publicUrl,
    }),
  };
}

/** A fixed issuer given in code rather than a config file (the dev provider's issuers). */
export type FixedIssuer = Pick<IssuerConfig, 'issuerUrl' | 'clientId' | 'type' | 'ciProvider'>;

/** The identity config for `list`, through the config file parser so the same checks apply. */
export function identityFromIssuers(list: FixedIssuer[]): IdentityConfig {
  return parseIdentityConfig({
    OIDCIssuers: Object.fromEntries(
      list.map((i) => [
        i.issuerUrl,
        { IssuerURL: i.issuerUrl, ClientID: i.clientId, Type: i.type, CIProvider: i.ciProvider },
      ]),
    ),
  });
}
