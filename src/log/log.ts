import { consistencyProof, leafHash, rootAt } from '../merkle/index.js';
import { SignetError, invalidInput } from '../errors.js';
import { admitEntry, storedFormBody, type AdmittedEntry } from './types/index.js';
import { rekorCheckpointSigner } from './checkpoint.js';
import { entryIdOf, parseEntryId } from './entry-id.js';
import { checkpointOrigin, newTreeId, treeIdHex, type LogIdentity } from './identity.js';
import { NodeCache } from './node-cache.js';
import {
  DuplicateEntryError,
  openAppender,
  proveInclusion,
  type Appended,
  type Appender,
  type HandOffTuning,
  type InclusionProof,
  type SealInput,
} from './append/index.js';
import { signEntryTimestamp } from './set.js';
import { admitProposedJson } from './admit-json.js';
import { nodeKey, type LogStore, type StoredEntry, type TreeHead } from './storage/store.js';
import type { LogMetrics } from '../metrics/index.js';

export interface TransparencyLogOptions {
  store: LogStore;
  identity: LogIdentity;
  /** Hostname in checkpoints (origin `<hostname> - <treeID>`, signature name `<hostname>`). */
  hostname: string;
  maxBatch?: number;
  maxPending?: number;
  clock?: () => number;
  /** Admission of proposed entries (default: the Rekor v1 entry types). */
  admit?: (proposed: unknown) => Promise<AdmittedEntry>;
  /** The same for a proposed entry as request-body JSON bytes (default: admitProposedJson on this thread). */
  admitJson?: (body: Buffer) => Promise<AdmittedEntry>;
  /** Signs a batch's SETs (default: on this thread); a worker pool keeps them off the event loop. */
  sealSets?: (identity: LogIdentity, batch: SealInput[]) => Promise<Buffer[]>;
  /** Shared stores (PostgreSQL): election and hand-off timing. */
  handOff?: HandOffTuning;
  /** Where the engine reports batches, queue depth, heads and storage failures. */
  metrics?: LogMetrics;
}

/** An entry with its ID and an inclusion proof against a signed head: everything a `LogEntry` needs. */
export interface EntryWithProof {
  entryId: string;
  entry: StoredEntry;
  proof: InclusionProof;
}

export interface LogInfo {
  treeId: string;
  head: TreeHead;
}

/**
 * The transparency log's domain face: admits and sequences entries, looks them up, proves inclusion and
 * consistency. It never sees HTTP; errors are SignetErrors (conflict carries the existing entry's Location).
 */
export class TransparencyLog {
  readonly treeId: string;
  readonly treeIdHex: string;
  readonly identity: LogIdentity;
  readonly #store: LogStore;
  readonly #appender: Appender;
  readonly #cache: NodeCache;
  readonly #admit: (proposed: unknown) => Promise<AdmittedEntry>;
  readonly #admitJson: (body: Buffer) => Promise<AdmittedEntry>;
  readonly #admitting = new Set<Promise<unknown>>();
  #closing = false;

  private constructor(o: TransparencyLogOptions, treeId: string, appender: Appender, cache: NodeCache) {
    this.treeId = treeId;
    this.treeIdHex = treeIdHex(treeId);
    this.identity = o.identity;
    this.#store = o.store;
    this.#appender = appender;
    this.#cache = cache;
    this.#admit = o.admit ?? ((p) => admitEntry(p));
    this.#admitJson = o.admitJson ?? admitProposedJson;
  }

  static async open(o: TransparencyLogOptions): Promise<TransparencyLog> {
    const { treeId } = await o.store.init({ treeId: newTreeId() });
    const cache = new NodeCache(o.store);
    const signCheckpoint = rekorCheckpointSigner(o.identity, o.hostname, checkpointOrigin(o.hostname, treeId));
    const appender = await openAppender({
      ...o,
      cache,
      signCheckpoint,
      // The v1 SignedEntryTimestamp: the log's promise over the entry and its place, made at integration.
      seal: o.sealSets
        ? (batch) => o.sealSets!(o.identity, batch)
        : async (batch) => batch.map((e) => signEntryTimestamp(o.identity, e)),
    });
    return new TransparencyLog(o, treeId, appender, cache);
  }

  /** Verifies, canonicalizes and logs a proposed entry; resolves once it is durable. */
  add(proposed: unknown): Promise<EntryWithProof> {
    return this.#track(() => this.#admit(proposed));
  }

  /**
   * The same for a proposed entry as the JSON bytes of a request body: parsed, checked against Rekor's API schema
   * (errors with statusCode 422) and verified where admission runs (worker threads), not on the event loop.
   */
  addJson(body: Buffer): Promise<EntryWithProof> {
    return this.#track(() => this.#admitJson(body));
  }

  #track(admit: () => Promise<AdmittedEntry>): Promise<EntryWithProof> {
    if (this.#closing) {
      return Promise.reject(new SignetError('pushback', 'the log is shutting down', { detail: { retryAfter: '5' } }));
    }
    // Settles once the entry is handed to the appender, not once it is answered: close() waits for admissions to
    // reach the appender, whose own close then answers everything it took (or gives up on it, database gone).
    const handed = (async () => ({ answer: this.#appender.append(await admit()) }))();
    this.#admitting.add(handed);
    const forget = () => this.#admitting.delete(handed);
    handed.then(forget, forget);
    return handed.then(({ answer }) => this.#answered(answer));
  }

  async #answered(answer: Promise<Appended>): Promise<EntryWithProof> {
    try {
      const { entry, proof } = await answer;
      return { entryId: entryIdOf(this.treeIdHex, entry.leafHash), entry, proof };
    } catch (e) {
      if (e instanceof DuplicateEntryError) throw this.#conflict(e.leafHash);
      throw e;
    }
  }

  info(): LogInfo {
    return { treeId: this.treeId, head: this.#appender.head() };
  }

  /** The entry at `logIndex`, or undefined beyond the tree. */
  async entryByIndex(logIndex: number): Promise<EntryWithProof | undefined> {
    return (await this.entriesByIndex([logIndex]))[0];
  }

  /** Entries at these indexes, in the given order, skipping those not in the tree. */
  async entriesByIndex(indexes: number[]): Promise<EntryWithProof[]> {
    const head = this.#appender.head();
    const inTree = indexes.filter((i) => Number.isSafeInteger(i) && i >= 0 && i < head.size);
    if (inTree.length === 0) return [];
    const found = await this.#store.entriesByIndex(inTree);
    const out: EntryWithProof[] = [];
    for (const i of inTree) {
      const entry = found.get(i);
      if (entry) out.push(await this.#withProof(entry, head));
    }
    return out;
  }

  /** Looks an entry up by 64-hex UUID or 80-hex entry ID (throws invalid-input for a malformed one). */
  async entryByUuid(uuid: string): Promise<EntryWithProof | undefined> {
    const id = parseEntryId(uuid);
    if (id.treeIdHex !== undefined && id.treeIdHex !== this.treeIdHex) return undefined;
    return (await this.entriesByLeafHash([id.leafHash]))[0];
  }

  async entriesByLeafHash(leafHashes: Buffer[]): Promise<EntryWithProof[]> {
    const indexes = await this.#store.indexesByLeafHash(leafHashes);
    return this.entriesByIndex(leafHashes.flatMap((h) => indexes.get(h.toString('hex')) ?? []));
  }

  /** Finds the logged copy of a proposed entry by canonicalizing it as on upload. */
  async entryByProposed(proposed: unknown): Promise<EntryWithProof | undefined> {
    const body = storedFormBody(proposed) ?? (await this.#admit(proposed)).body;
    return (await this.entriesByLeafHash([leafHash(body)]))[0];
  }

  /** Entry IDs whose index keys match: `or` = any group, `and` = every group (each group is one query field). */
  async search(groups: string[][], operator: 'and' | 'or'): Promise<string[]> {
    if (groups.length === 0) return [];
    const sets = await Promise.all(groups.map((keys) => this.#store.searchIndex(keys)));
    let result = new Set(sets[0]);
    for (const s of sets.slice(1)) {
      result = operator === 'and' ? new Set(s.filter((i) => result.has(i))) : new Set([...result, ...s]);
    }
    const indexes = [...result].sort((a, b) => a - b);
    // Leaf hashes only (level-0 nodes): a key that names a large part of the log must not read every body.
    const leaves = await this.#store.nodes(indexes.map((index) => ({ level: 0, index })));
    return indexes.flatMap((i) => {
      const leaf = leaves.get(nodeKey(0, i));
      return leaf ? [entryIdOf(this.treeIdHex, leaf)] : [];
    });
  }

  /** A consistency proof from `firstSize` to `lastSize` (both within the current tree), with the root at lastSize. */
  async consistency(firstSize: number, lastSize: number): Promise<{ rootHash: Buffer; hashes: Buffer[] }> {
    const size = this.#appender.head().size;
    if (firstSize > lastSize) throw invalidInput(`firstSize(${firstSize}) must be less than lastSize(${lastSize})`);
    if (lastSize > size) {
      throw invalidInput(`the tree size requested(${lastSize}) was greater than what is currently observable(${size})`);
    }
    const read = this.#cache.read;
    const [rootHash, hashes] = await Promise.all([
      rootAt(lastSize, read),
      firstSize === lastSize ? Promise.resolve([]) : consistencyProof(firstSize, lastSize, read),
    ]);
    return { rootHash, hashes };
  }

  /** For /readyz: the storage answers and some process sequences (else writes would only queue). */
  ready(): Promise<void> {
    return this.#appender.ready();
  }

  /** Refuses new entries, finishes those being admitted or queued; the caller closes the store afterwards. */
  async close(): Promise<void> {
    this.#closing = true;
    await Promise.allSettled([...this.#admitting]);
    await this.#appender.close();
  }

  async #withProof(entry: StoredEntry, head: TreeHead): Promise<EntryWithProof> {
    const proof = await proveInclusion(this.#cache.read, entry.logIndex, head);
    return { entryId: entryIdOf(this.treeIdHex, entry.leafHash), entry, proof };
  }

  #conflict(leafHash: Buffer): SignetError {
    const id = entryIdOf(this.treeIdHex, leafHash);
    return new SignetError('conflict', `an equivalent entry already exists in the transparency log with UUID ${id}`, {
      detail: { entryId: id },
    });
  }
}
