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
export { Sequencer, DuplicateEntryError, type InclusionProof, type Sequenced } from './sequencer.js';
export { rekorApi, type RekorApiOptions } from './http/routes.js';
export { logEntryJson, logInfoJson, type LogEntryAnonJson } from './http/wire.js';
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
export type { Batch, LogMeta, LogStore, StoredEntry, TreeHead, TreeNode } from './storage/store.js';
export { PostgresLogStore, type PendingRow, type PostgresStoreOptions } from './storage/postgres.js';
export { parseDatabaseUrl } from './storage/postgres-connect.js';
export { postgresFrontend, type ElectionOptions } from './election.js';
export { tileApi, type TileApiOptions } from './tiles/routes.js';
export { readTile, type TileBody } from './tiles/read.js';
export { CheckpointPublisher, type PublisherOptions } from './witness/publisher.js';
