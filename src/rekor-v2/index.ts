/**
 * Rekor v2 (rekor-tiles): the `POST /api/v2/log/entries` write API for hashedrekord and dsse 0.0.2, answering a
 * TransparencyLogEntry with an inclusion proof and checkpoint, and the tlog-tiles read API under `/api/v2/`.
 * A log of its own (key, origin, C2SP log ID) running on the log engine beside Rekor v1.
 *
 * @example
 * const v2 = await createRekorV2Service({ ...ctx, dataDir: join(dataDir, 'rekor2') });
 * await v2.register(app); // POST /api/v2/log/entries, GET /api/v2/checkpoint, /api/v2/tile/...
 */
export { createRekorV2Service, type RekorV2Options, type RekorV2Service } from './service.js';
export { RekorV2Log, type V2EntryJson } from './log.js';
export { admitV2Request, MAX_ENTRY_BYTES, type AdmittedV2Entry } from './admit.js';
export { preAuthEncoding } from './dsse.js';
export { loadOrCreateV2Identity, v2IdentityOf, v2OriginOf, type V2Identity, type V2KeyType } from './identity.js';
export { openAppender, type V2Appender } from './appender.js';
export { v2IndexKeys } from './index-keys.js';
export { rekorV2Api, V2_PREFIX } from './routes.js';
