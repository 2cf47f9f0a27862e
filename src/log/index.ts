/**
 * The transparency log server: Rekor v1 API over an RFC 6962 Merkle tree, with its sequencer and storage.
 *
 * @example
 * const service = await createLogService({ dataDir, publicUrl, logger });
 * await service.register(app); // Rekor v1 routes under /api/v1/
 */
export {
  createLogService,
  DEFAULT_MAX_BODY_BYTES,
  LOG_DB_FILE,
  type LogService,
  type LogServiceOptions,
} from './service.js';
export { TransparencyLog, type EntryWithProof, type LogInfo, type TransparencyLogOptions } from './log.js';
export {
  openAppender,
  proveInclusion,
  DuplicateEntryError,
  type Appended,
  type Appender,
  type AppenderOptions,
  type EntryToLog,
  type HandOffTuning,
  type InclusionProof,
  type SealInput,
} from './append/index.js';
export { indexKeySet, parseX509PublicKey, x509Subjects } from './types/index.js';
export { NodeCache } from './node-cache.js';
export { rekorCheckpointSigner, type CheckpointSigner } from './checkpoint.js';
export { rekorApi, type RekorApiOptions } from './http/routes.js';
export { logEntryJson, logEntryJsonText, logInfoJson, type LogEntryAnonJson } from './http/wire.js';
export { parseSearchIndex } from './http/search-query.js';
export { intParam, isObject } from './http/params.js';
export {
  LOG_KEY_FILE,
  checkpointOrigin,
  hostnameOf,
  identityOf,
  loadOrCreateLogKey,
  newTreeId,
  treeIdHex,
  type LogIdentity,
  type LogKeyType,
} from './identity.js';
export { setPayload, signEntryTimestamp } from './set.js';
export { entryIdOf, parseEntryId } from './entry-id.js';
export { SqliteLogStore } from './storage/sqlite.js';
export { MemoryLogStore } from './storage/memory.js';
export type { Batch, Claim, Cosignature, LogMeta, LogStore, StoredEntry, TreeHead, TreeNode } from './storage/store.js';
export type { HandOff, HandOffEntry, Lease, Outcome, WaitingRow } from './storage/hand-off.js';
export { PostgresLogStore } from './storage/postgres.js';
export { parseDatabaseUrl } from './storage/postgres-connect.js';
export { tileApi, type TileApiOptions } from './tiles/routes.js';
export { readTile, type TileBody } from './tiles/read.js';
export { CheckpointPublisher, type PublisherOptions } from './witness/publisher.js';
export {
  EXPLORER_CSP,
  explorerDir,
  parsePagedQuery,
  sampleIndexes,
  searchPage,
  TimelineSampler,
  TIMELINE_SAMPLES,
  type PagedQuery,
  type SearchPage,
  type Timeline,
  type TimelinePoint,
} from './explorer/index.js';
