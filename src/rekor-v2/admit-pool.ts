import { asBuffer, createTaskPool } from '../workers/index.js';
import { admitV2Request, type AdmittedV2Entry } from './admit.js';

export interface V2AdmitPool {
  admit(request: unknown): Promise<AdmittedV2Entry>;
  close(): Promise<void>;
}

/**
 * Verifies and canonicalizes Rekor v2 requests on worker threads, the way the v1 log admits its entries: the
 * signature or certificate check and the RFC 8785 body are the per-entry CPU cost, and on the event loop they
 * would serialize every write behind them.
 */
export function createV2AdmitPool(threads: number): V2AdmitPool {
  const pool = createTaskPool<unknown, AdmittedV2Entry>({
    threads,
    workerUrl: new URL('./admit-worker.js', import.meta.url),
    inline: admitV2Request,
    revive: (e) => ({ ...e, body: asBuffer(e.body) }),
  });
  return { admit: (r) => pool.run(r), close: () => pool.close() };
}
