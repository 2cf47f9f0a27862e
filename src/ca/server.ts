import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { SignetError, invalidOption } from '../errors.js';
import type { Service } from '../http/index.js';
import type { Metrics } from '../metrics/index.js';
import { createCaService, identityFromIssuers, type CaService, type FixedIssuer } from './service.js';
import { remoteCtLog } from './ct-client.js';
import type { CtLog } from './certificate/sct-list.js';
import {
  generatedPassword,
  initCa,
  storedPassword,
  hasCa,
  loadCa,
  loadChainAndKey,
  type CaChain,
} from './keys/ca-store.js';
import { loadIdentityConfig, type IdentityConfig } from './oidc/config.js';
import { defaultIdentityConfig } from './oidc/default-config.js';

export interface CaServerOptions {
  /** Listen address: the dev provider refuses anything but loopback. */
  host: string;
  dataDir: string;
  /** URL clients use. */
  publicUrl: string;
  configPath?: string;
  /** `remote URL` for an external RFC 6962 log, `embedded` for the in-process log (src/ct), `none` for detached. */
  ctLog: { kind: 'embedded' } | { kind: 'remote'; url: string } | { kind: 'none' };
  /** Operator-supplied chain and key, instead of the data dir's CA. */
  caChainFile?: string;
  caKeyFile?: string;
  password?: string;
  devOidc: boolean;
  logger: Logger;
  metrics?: Metrics;
}

/** What a CA server holds that clients must trust: its chain, the built-in CT log's key, the dev provider. */
export interface CaServerTrust {
  ca: CaService;
  ctlog?: { baseUrl: string; publicKey: KeyObject; createdAt: Date };
  oidc?: { issuerUrl: string };
}

/**
 * The services of `signet ca serve`: the CA, its CT log and, when asked, the dev provider (served by src/stack),
 * and the trust material among them that the caller publishes.
 */
export async function caServerServices(o: CaServerOptions): Promise<{ services: Service[]; trust: CaServerTrust }> {
  const ctx = { dataDir: o.dataDir, publicUrl: o.publicUrl, logger: o.logger, metrics: o.metrics };
  const oidc = o.devOidc ? await import('../oidc/index.js') : undefined;
  // Refuse an exposed dev provider before any key (CA, CT, token key) is created or loaded.
  oidc?.assertDevOidcExposure({ host: o.host, devOidc: true, allowOnNetwork: false });
  const chain = loadChain(o);
  const services: Service[] = [];
  const trust: Omit<CaServerTrust, 'ca'> = {};
  let identity = o.configPath ? loadIdentityConfig(o.configPath) : defaultIdentityConfig();
  if (oidc) {
    const { createDevOidcProvider } = oidc;
    const dev = await createDevOidcProvider(ctx);
    services.push(dev);
    identity = withIssuers(identity, dev.issuerConfigs);
    trust.oidc = dev;
  }
  let ctLog: CtLog | undefined;
  if (o.ctLog.kind === 'remote') ctLog = remoteCtLog(o.ctLog.url);
  if (o.ctLog.kind === 'embedded') {
    const { createCtLog } = await import('../ct/index.js');
    const ct = await createCtLog({ ...ctx, roots: () => [chain.chain.at(-1)!.raw] });
    services.push(ct);
    ctLog = ct;
    trust.ctlog = ct;
  }
  const ca = await createCaService({ ...ctx, issuers: identity, ctLog, ca: chain });
  services.push(ca);
  return { services, trust: { ...trust, ca } };
}

function loadChain(o: CaServerOptions): CaChain {
  if (o.caChainFile || o.caKeyFile) {
    if (!o.caChainFile || !o.caKeyFile)
      throw invalidOption('caChainFile', 'the CA certificate chain and its key go together');
    return loadChainAndKey(readFileSync(o.caChainFile, 'utf8'), readFileSync(o.caKeyFile, 'utf8'), o.password);
  }
  if (!hasCa(o.dataDir)) {
    // First start on an empty data dir: make a CA as `signet up` does, with the given password or a generated one
    // kept beside the keys. `signet ca init` is the deliberate path for a production CA.
    const password = o.password ?? generatedPassword(o.dataDir);
    const chain = initCa(o.dataDir, password);
    o.logger.warn(
      { dataDir: o.dataDir, generatedPassword: o.password === undefined },
      'no CA in the data dir: created a new root and intermediate',
    );
    return chain;
  }
  const password = o.password ?? storedPassword(o.dataDir);
  if (!password) {
    throw new SignetError('unauthenticated', `the CA keys in ${o.dataDir} are encrypted and no password was given`, {
      detail: { option: 'caPassword' },
    });
  }
  return loadCa(o.dataDir, password);
}

function withIssuers(identity: IdentityConfig, issuers: FixedIssuer[]): IdentityConfig {
  const extra = identityFromIssuers(issuers);
  return { ...identity, oidcIssuers: { ...identity.oidcIssuers, ...extra.oidcIssuers } };
}
