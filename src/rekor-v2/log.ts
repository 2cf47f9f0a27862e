import { SignetError } from '../errors.js';
import { DuplicateEntryError, type InclusionProof, type TreeHead } from '../log/index.js';
import { admitV2Request, type AdmittedV2Entry } from './admit.js';
import type { V2Appender } from './appender.js';
import type { V2Identity } from './identity.js';

/**
 * A `TransparencyLogEntry` in the JSON rekor-tiles answers with (grpc-gateway, EmitUnpopulated): int64 as decimal
 * strings, bytes as base64, `integratedTime` "0" and `inclusionPromise` null because v2 signs no entry timestamp.
 */
export interface V2EntryJson {
  logIndex: string;
  logId: { keyId: string };
  kindVersion: { kind: string; version: string };
  integratedTime: '0';
  inclusionPromise: null;
  inclusionProof: {
    logIndex: string;
    rootHash: string;
    treeSize: string;
    hashes: string[];
    checkpoint: { envelope: string };
  };
  canonicalizedBody: string;
}

/** The Rekor v2 log's domain face: admit a request, append it, answer its TransparencyLogEntry. No HTTP here. */
export class RekorV2Log {
  readonly identity: V2Identity;
  readonly #appender: V2Appender;
  readonly #admit: (request: unknown) => Promise<AdmittedV2Entry>;

  constructor(identity: V2Identity, appender: V2Appender, admit = async (r: unknown) => admitV2Request(r)) {
    this.identity = identity;
    this.#appender = appender;
    this.#admit = admit;
  }

  /**
   * Verifies and logs a `CreateEntryRequest`; resolves once the entry is durable and under a signed checkpoint.
   * A duplicate is a conflict carrying the existing index (`detail.logIndex`, the `x-log-index` header).
   */
  async add(request: unknown): Promise<V2EntryJson> {
    const entry = await this.#admit(request);
    try {
      const { logIndex, proof } = await this.#appender.append(entry);
      return this.#entryJson(entry, logIndex, proof);
    } catch (e) {
      if (e instanceof DuplicateEntryError) {
        throw new SignetError(
          'conflict',
          `an equivalent entry already exists in the transparency log with index ${e.logIndex}`,
          { detail: { logIndex: String(e.logIndex) } },
        );
      }
      throw e;
    }
  }

  head(): TreeHead {
    return this.#appender.head();
  }

  ready(): Promise<void> {
    return this.#appender.ready();
  }

  close(): Promise<void> {
    return this.#appender.close();
  }

  #entryJson(entry: AdmittedV2Entry, logIndex: number, proof: InclusionProof): V2EntryJson {
    return {
      logIndex: String(logIndex),
      logId: { keyId: this.identity.logId.toString('base64') },
      kindVersion: { kind: entry.kind, version: entry.version },
      integratedTime: '0',
      inclusionPromise: null,
      inclusionProof: {
        logIndex: String(logIndex),
        rootHash: proof.rootHash.toString('base64'),
        treeSize: String(proof.treeSize),
        hashes: proof.hashes.map((h) => h.toString('base64')),
        checkpoint: { envelope: proof.checkpoint },
      },
      canonicalizedBody: entry.body.toString('base64'),
    };
  }
}
