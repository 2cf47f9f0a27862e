import type { KeyObject } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Service, ServiceContext } from '../http/index.js';
import { CertificateLog, type OwnPrecertificate } from './ct-log.js';
import { loadOrCreateLogKey } from './log-key.js';
import { registerCtRoutes } from './routes.js';
import type { Sct } from '../encoding/index.js';
import { CtStore } from './store.js';

export { signSct, verifySct } from './sct.js';
export type { Sct, SignedEntry } from '../encoding/index.js';
export type { OwnPrecertificate } from './ct-log.js';
export { merkleTreeLeaf } from './leaf.js';
export { OID_CT_POISON, OID_CT_SCT_LIST, subjectPublicKeyInfo, tbsWithoutExtension } from '../encoding/index.js';
export { precertEntryFromFinal } from './verify-embedded.js';

export interface CtLogOptions {
  /** The accepted roots (DER); called per submission, so a CA that rotates its root is picked up. */
  roots: () => Buffer[];
  /** Milliseconds since the epoch; tests inject a clock. */
  clock?: () => number;
}

/** The RFC 6962 log as a stack service. */
export interface CtLog extends Service {
  addChain(chainDer: Buffer[]): Promise<Sct>;
  addPreChain(chainDer: Buffer[]): Promise<Sct>;
  /**
   * For the CA in this process only (the stack hands this object to it; the HTTP routes never see it): its own
   * precertificate, logged without re-verifying the signature it just made (see CertificateLog.addOwnPrecertificate).
   */
  addOwnPrecertificate(p: OwnPrecertificate): Promise<Sct>;
  publicKey: KeyObject;
  /** SHA-256 of the DER SubjectPublicKeyInfo of the log key. */
  logId: Buffer;
  /** Where the `/ct/v1/...` endpoints are (the stack's public URL). */
  baseUrl: string;
  /** When the log key was created: the log's validity start in trusted_root.json. */
  createdAt: Date;
}

/**
 * Opens (or creates) the CT log in `dataDir` (its own directory; `signet up` gives it `<data-dir>/ct`): `ct.db` and the P-256 key `log-key.pem`.
 *
 * @example
 *   const ct = await createCtLog({ ...ctx, roots: () => [rootDer] });
 *   const sct = await ct.addPreChain([precertDer, intermediateDer, rootDer]);
 *   const ext = serializeSctList([sct]); // the X.509 SCT-list extension's OCTET STRING content
 */
export async function createCtLog(ctx: ServiceContext & CtLogOptions): Promise<CtLog> {
  const dir = ctx.dataDir;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = loadOrCreateLogKey(join(dir, 'log-key.pem'));
  const store = new CtStore(join(dir, 'ct.db'));
  let log: CertificateLog;
  try {
    log = await CertificateLog.open(store, key, ctx.roots, ctx.clock ?? Date.now, () =>
      ctx.metrics?.databaseError('ct'),
    );
  } catch (e) {
    await store.close();
    throw e;
  }
  return {
    name: 'ct',
    publicKey: key.publicKey,
    logId: key.logId,
    baseUrl: ctx.publicUrl.replace(/\/+$/, ''),
    createdAt: key.createdAt,
    addChain: (chain) => log.add(chain, false),
    addPreChain: (chain) => log.add(chain, true),
    addOwnPrecertificate: (p) => log.addOwnPrecertificate(p),
    async register(app: FastifyInstance) {
      await app.register(async (scope) => registerCtRoutes(scope, log), { prefix: '/ct/v1' });
    },
    async close() {
      await store.close();
    },
  };
}
