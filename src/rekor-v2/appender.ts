import { formatCheckpoint, signNote } from '../note/index.js';
import {
  NodeCache,
  newTreeId,
  openAppender as openLogAppender,
  type InclusionProof,
  type LogStore,
  type TreeHead,
} from '../log/index.js';
import type { LogMetrics } from '../metrics/index.js';
import type { V2Identity } from './identity.js';

/** What the Rekor v2 log needs of the log engine: append a leaf, durably, under a signed checkpoint. */
export interface V2Appender {
  /**
   * Resolves once the entry is durable and covered by a signed checkpoint, with an inclusion proof against it.
   * Rejects with the log's DuplicateEntryError for a leaf already logged, or a pushback SignetError.
   */
  append(entry: { body: Buffer; indexKeys: string[] }): Promise<{ logIndex: number; proof: InclusionProof }>;
  head(): TreeHead;
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface AppenderOptions {
  store: LogStore;
  identity: V2Identity;
  maxBatch?: number;
  maxPending?: number;
  /** Where the engine reports batches, queue depth, heads and storage failures. */
  metrics?: LogMetrics;
}

/**
 * The v2 log on the log engine's appender (src/log/append): batches (one transaction and one checkpoint signature per batch),
 * SQLite or PostgreSQL, crash safety and pushback come from it. Checkpoints are plain C2SP ones signed with the
 * v2 key under the v2 origin.
 */
export async function openAppender(o: AppenderOptions): Promise<V2Appender> {
  await o.store.init({ treeId: newTreeId() });
  const signer = o.identity.noteSigner;
  // No seal: Rekor v2 entries carry no signed entry timestamp.
  const appender = await openLogAppender({
    store: o.store,
    cache: new NodeCache(o.store),
    signCheckpoint: async (size, rootHash) =>
      signNote(formatCheckpoint({ origin: o.identity.origin, size, rootHash }), [signer]),
    maxBatch: o.maxBatch,
    maxPending: o.maxPending,
    metrics: o.metrics,
  });
  return {
    append: async ({ body, indexKeys }) => {
      const { entry, proof } = await appender.append({ body, indexKeys });
      return { logIndex: entry.logIndex, proof };
    },
    head: () => appender.head(),
    ready: () => appender.ready(),
    close: () => appender.close(),
  };
}
