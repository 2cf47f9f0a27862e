import { join } from 'node:path';
import type { Service, ServiceContext } from '../http/index.js';
import { createLogService, LOG_KEY_FILE, type LogServiceOptions } from '../log/index.js';
import { createCaService } from '../ca/index.js';
import { createCtLog } from '../ct/index.js';
import { createDevOidcProvider } from '../oidc/provider/index.js';
import { createTrustService } from './trust.js';
import { stackTrustInputs } from './trust-sources.js';

export interface StackOptions {
  log?: LogServiceOptions;
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
    // CT log and CA need each other (the CT log accepts the CA's root; the CA submits precerts to the CT log).
    let caRoots: () => Buffer[] = () => [];
    const oidc = await createDevOidcProvider(under('oidc'));
    services.push(oidc);
    const ct = await createCtLog({ ...under('ct'), roots: () => caRoots() });
    services.push(ct);
    const ca = await createCaService({ ...under('ca'), issuers: [oidc.issuerConfig], ctLog: ct });
    caRoots = () => ca.trust().certChainDer.slice(-1);
    services.push(ca);
    const tlog = { publicKey: log.log.identity.publicKey, keyFile: join(ctx.dataDir, 'log', LOG_KEY_FILE) };
    services.push(createTrustService(stackTrustInputs({ publicUrl: ctx.publicUrl, tlog, ctlog: ct, ca, oidc })));
  } catch (e) {
    for (const s of services.reverse()) await s.close();
    throw e;
  }
  return services;
}
