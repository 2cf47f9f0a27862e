import { join } from 'node:path';
import { closeServices, type Service, type ServiceContext } from '../http/index.js';
import { createLogService, LOG_KEY_FILE, type LogServiceOptions } from '../log/index.js';
import { createCaService } from '../ca/index.js';
import { createCtLog } from '../ct/index.js';
import { createDevOidcProvider, type IdTokenAlg } from '../oidc/index.js';
import { createTsaService } from '../tsa/index.js';
import { createRekorV2Service, type RekorV2Options } from '../rekor-v2/index.js';
import { createTufService, type ExpiryPeriods } from '../tuf/index.js';
import { createTrustService } from './trust.js';
import { stackTrustInputs } from './trust-sources.js';

export interface StackOptions {
  log?: LogServiceOptions;
  rekorV2?: RekorV2Options;
  /** The dev identity provider's ID-token algorithm (RS256 unless asked). */
  idTokenAlg?: IdTokenAlg;
  /** The TUF repository's metadata lifetimes (flags of `signet up`). */
  tuf?: { expiry?: Partial<ExpiryPeriods>; checkIntervalMs?: number };
}

/**
 * The services `signet up` runs on one server, in start order. Each gets its own directory under the data dir.
 * To add a service: import its factory and add one line here.
 */
export async function createStackServices(ctx: ServiceContext, options: StackOptions = {}): Promise<Service[]> {
  const under = (name: string): ServiceContext => ({ ...ctx, dataDir: join(ctx.dataDir, name) });
  const services: Service[] = [];
  try {
    const log = await createLogService(under('log'), options.log);
    services.push(log);
    const rekorV2 = await createRekorV2Service(under('rekor2'), options.rekorV2);
    services.push(rekorV2);
    // CT log and CA need each other (the CT log accepts the CA's root; the CA submits precerts to the CT log).
    let caRoots: () => Buffer[] = () => [];
    const oidc = await createDevOidcProvider({ ...under('oidc'), idTokenAlg: options.idTokenAlg });
    services.push(oidc);
    const ct = await createCtLog({ ...under('ct'), roots: () => caRoots() });
    services.push(ct);
    const ca = await createCaService({ ...under('ca'), issuers: oidc.issuerConfigs, ctLog: ct });
    caRoots = () => ca.trust().certChainDer.slice(-1);
    services.push(ca);
    const tsa = await createTsaService(under('tsa'));
    services.push(tsa);
    const tlog = { publicKey: log.log.identity.publicKey, keyFile: join(ctx.dataDir, 'log', LOG_KEY_FILE) };
    const v2 = rekorV2.log.identity;
    const rekorV2Trust = { publicKey: v2.publicKey, logId: v2.logId, createdAt: rekorV2.createdAt };
    const trust = createTrustService(
      stackTrustInputs({ publicUrl: ctx.publicUrl, tlog, rekorV2: rekorV2Trust, ctlog: ct, ca, oidc, tsa }),
    );
    services.push(trust);
    // TUF publishes the same trust material: whatever the trust service lists flows into the targets.
    services.push(
      await createTufService({ dir: join(ctx.dataDir, 'tuf'), source: trust, logger: ctx.logger, ...options.tuf }),
    );
  } catch (e) {
    await closeServices(services).catch(() => undefined);
    throw e;
  }
  return services;
}
