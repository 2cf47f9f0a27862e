import type { FastifyInstance } from 'fastify';
import { rekorErrorHandler } from '../http/index.js';
import type { Service } from '../http/index.js';
import { buildSigningConfig, buildTrustedRoot, type TrustInputs } from './trust-root.js';

export { buildSigningConfig, buildTrustedRoot, type CaTrust, type LogTrust, type TrustInputs } from './trust-root.js';

export interface TrustService extends Service {
  /** What `/trusted_root.json` serves right now. */
  trustedRoot(): ReturnType<typeof buildTrustedRoot>;
  signingConfig(): ReturnType<typeof buildSigningConfig>;
}

/**
 * Trust distribution for a local stack: `/trusted_root.json` and `/signing_config.json`, built on every request
 * from the services' own trust material (`inputs` is called each time, so a rotated key shows up at once).
 * Point clients at them: `--trusted-root <publicUrl>/trusted_root.json`.
 *
 * @example
 *   const trust = createTrustService(() => ({
 *     tlogs: [{ baseUrl: publicUrl, publicKey: log.publicKey, validFrom: log.createdAt }],
 *     ctlogs: [{ baseUrl: ct.baseUrl, publicKey: ct.publicKey, validFrom: ct.createdAt }],
 *     certificateAuthorities: [ca.trust()],
 *     oidcUrls: [{ url: oidc.issuerUrl, validFrom: ct.createdAt }],
 *   }));
 */
export function createTrustService(inputs: () => TrustInputs): TrustService {
  const trustedRoot = () => buildTrustedRoot(inputs());
  const signingConfig = () => buildSigningConfig(inputs());
  return {
    name: 'trust',
    trustedRoot,
    signingConfig,
    async register(app: FastifyInstance) {
      await app.register(async (scope) => {
        scope.setErrorHandler(rekorErrorHandler);
        const json = (body: unknown) => JSON.stringify(body, null, 2) + '\n';
        scope.get('/trusted_root.json', async (_req, reply) =>
          reply.type('application/json').header('cache-control', 'no-cache').send(json(trustedRoot())),
        );
        scope.get('/signing_config.json', async (_req, reply) =>
          reply.type('application/json').header('cache-control', 'no-cache').send(json(signingConfig())),
        );
      });
    },
    async close() {},
  };
}
