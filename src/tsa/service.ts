import type { FastifyInstance } from 'fastify';
import { SignetError } from '../errors.js';
import type { Service, ServiceContext } from '../http/index.js';
import { registerTsaRoutes } from './http.js';
import { DEFAULT_POLICY_OID, type TimestampRequest } from './request.js';
import { issueTimestamp, type TsaSigner } from './response.js';
import { ensureTsaSigner } from './store.js';

export interface TsaServiceOptions {
  /** A signer loaded by the caller (an operator's chain and key); otherwise the data dir's, made on first start. */
  signer?: TsaSigner;
  /** Password of the data dir's key; defaults to the generated `tsa-password` file. */
  password?: string;
  /** Accepted policy OIDs, the first being the default (timestamp-authority: 1.3.6.1.4.1.57264.2). */
  policies?: string[];
  now?: () => Date;
}

/** What trusted_root.json lists for this TSA (`timestampAuthorities[]`). */
export interface TsaTrust {
  /** Leaf first, root last, as DER. */
  certChainDer: Buffer[];
  validFrom: Date;
  validTo: Date;
  /** The full timestamp URL, as signing_config.json `tsaUrls` wants it. */
  uri: string;
}

export interface TsaService extends Service {
  readonly signer: TsaSigner;
  /** Issues a granted DER TimeStampResp for a checked request (no HTTP). */
  issue(req: TimestampRequest): Promise<Buffer>;
  trust(): TsaTrust;
}

/** The path of the timestamp endpoint under a server's base URL. */
export const TIMESTAMP_PATH = '/api/v1/timestamp';

/**
 * The RFC 3161 timestamp authority as a stack service (timestamp-authority's API).
 *
 * @example
 *   const tsa = await createTsaService({ ...ctx, dataDir: join(dataDir, 'tsa') });
 *   await tsa.register(app); // POST /api/v1/timestamp, GET /api/v1/timestamp/certchain
 */
export async function createTsaService(ctx: ServiceContext & TsaServiceOptions): Promise<TsaService> {
  const signer = ctx.signer ?? ensureTsaSigner(ctx.dataDir, ctx.password);
  const policies = ctx.policies?.length ? ctx.policies : [DEFAULT_POLICY_OID];
  const now = ctx.now ?? (() => new Date());
  const chainPem = signer.chain.map((c) => c.toString()).join('');
  const issue = async (req: TimestampRequest) => {
    if (req.policy && !policies.includes(req.policy)) {
      throw new SignetError('unsupported', 'unaccepted policy: requested TSA policy is not supported by the TSA');
    }
    return issueTimestamp(req, signer, { policy: req.policy ?? policies[0]!, now: now() });
  };
  const leaf = signer.chain[0]!;
  return {
    name: 'tsa',
    signer,
    issue,
    async register(app: FastifyInstance) {
      await app.register(async (scope) => registerTsaRoutes(scope, { issue, chainPem: () => chainPem }));
    },
    async close() {},
    trust: () => ({
      certChainDer: signer.chain.map((c) => c.raw),
      validFrom: new Date(leaf.validFrom),
      validTo: new Date(leaf.validTo),
      uri: ctx.publicUrl.replace(/\/+$/, '') + TIMESTAMP_PATH,
    }),
  };
}
