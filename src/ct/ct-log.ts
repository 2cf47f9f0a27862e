import { createHash, sign } from 'node:crypto';
import { SignetError, invalidInput, isStorageFull, notFound } from '../errors.js';
import { acceptChain, precertIssuerKeyHash } from './chain.js';
import { extraData, merkleTreeLeaf } from './leaf.js';
import type { LogKey } from './log-key.js';
import {
  TlsWriter,
  decodeDigitallySigned,
  encodeDigitallySigned,
  sctSignedData,
  type Sct,
  type SignedEntry,
} from '../encoding/index.js';
import { digitallySign } from './sct.js';
import type { CtStore } from './store.js';
import { CtTree } from './tree.js';

/** RFC 6962 §3.5 signed tree head. */
export interface SignedTreeHead {
  treeSize: number;
  timestamp: number;
  rootHash: Buffer;
  /** TLS DigitallySigned over the TreeHeadSignature struct. */
  signature: Buffer;
}

const MAX_ENTRIES_PER_GET = 256;

/** A precertificate the in-process CA made and signed (see `CertificateLog.addOwnPrecertificate`). */
export interface OwnPrecertificate {
  /** The signed precertificate (stored in the entry's extra_data, as add-pre-chain stores it). */
  precertDer: Buffer;
  /** Its TBSCertificate without the poison extension: what the SCT signs (RFC 6962 3.2). */
  tbsDer: Buffer;
  /** The CA's chain, intermediate (the precertificate's issuer) first, root last. */
  caChainDer: Buffer[];
}

/** What the HTTP routes may call: everything but the in-process CA's unchecked submission. */
export type CtHttpLog = Omit<CertificateLog, 'addOwnPrecertificate'>;

/** An entry's identity for deduplication: SHA-256 of (precert flag, submitted leaf DER). */
function entryIdentity(leafDer: Buffer, precert: boolean): Buffer {
  return createHash('sha256')
    .update(Buffer.from([precert ? 1 : 0]))
    .update(leafDer)
    .digest();
}
const NO_EXTENSIONS = Buffer.alloc(0);

interface Pending {
  identity: Buffer;
  entry: SignedEntry;
  chain: Buffer[];
  resolve(sct: Sct): void;
  reject(e: unknown): void;
}

/**
 * The CT log's domain: accepts chains, sequences them in groups (the SCT's promise is kept before it is returned),
 * and answers tree heads and proofs. It never sees HTTP.
 */
export class CertificateLog {
  #sthCache?: SignedTreeHead;
  readonly #queue: Pending[] = [];
  /** Submissions waiting for the next commit, by identity, so a duplicate in the same batch shares the SCT. */
  readonly #queued = new Map<string, Promise<Sct>>();
  /** A commit is on its way to disk; new submissions wait for the next group. */
  #writing = false;
  /** The in-process CA's chain as last checked, and its issuer key hash. */
  #ownIssuers?: { chain: Buffer[]; issuerKeyHash: Buffer };

  readonly #store: CtStore;
  readonly #tree: CtTree;
  readonly #roots: () => Buffer[];
  readonly #clock: () => number;
  readonly #onStorageError: () => void;
  private constructor(
    store: CtStore,
    tree: CtTree,
    readonly key: LogKey,
    roots: () => Buffer[],
    clock: () => number,
    onStorageError: () => void,
  ) {
    this.#store = store;
    this.#tree = tree;
    this.#roots = roots;
    this.#clock = clock;
    this.#onStorageError = onStorageError;
  }

  static async open(
    store: CtStore,
    key: LogKey,
    roots: () => Buffer[],
    clock: () => number,
    onStorageError: () => void = () => {},
  ): Promise<CertificateLog> {
    return new CertificateLog(store, await CtTree.open(store), key, roots, clock, onStorageError);
  }

  acceptedRoots(): Buffer[] {
    return this.#roots();
  }

  /**
   * add-chain / add-pre-chain: log the chain (or find it already logged) and resolve to its SCT once the entry is
   * durable. Group commit: submissions that arrive while nothing is being written go out together on the next
   * turn of the event loop; those that arrive during a commit wait for it and go in the next one (one transaction,
   * one fsync each), in arrival order.
   */
  async add(chainDer: Buffer[], precert: boolean): Promise<Sct> {
    const { entry, chain } = await acceptChain(chainDer, this.#roots(), precert);
    return this.#enqueue(entryIdentity(chainDer[0]!, precert), entry, chain);
  }

  /**
   * The in-process CA's own precertificate, handed over without the checks `add` makes of an outside submitter:
   * the CA signed it a moment ago with the key it holds, so verifying that signature again proves nothing, and
   * the TBS without the poison is the one the CA just encoded. What is still checked: the CA's chain ends at a
   * root this log accepts and is signed link by link (once per chain, see `ownIssuer`). The entry, its SCT (over
   * the same issuer key hash and TBS as `add` would compute), the group commit and its durability are `add`'s.
   * Not reachable from HTTP: routes.ts takes `CtHttpLog`, which leaves this out; only the service object of
   * `createCtLog`, which `signet up` and `signet ca serve` hand to their own CA, passes it on.
   */
  async addOwnPrecertificate(p: OwnPrecertificate): Promise<Sct> {
    const issuerKeyHash = await this.#ownIssuer(p.caChainDer);
    const entry: SignedEntry = { type: 'precert', issuerKeyHash, tbsDer: p.tbsDer };
    return this.#enqueue(entryIdentity(p.precertDer, true), entry, [p.precertDer, ...p.caChainDer]);
  }

  /**
   * The issuer key hash of the in-process CA's chain (intermediate first, root last), after checking that the
   * chain ends at an accepted root (every call: roots may rotate) and that its links verify (once per chain bytes).
   */
  async #ownIssuer(caChainDer: Buffer[]): Promise<Buffer> {
    const last = caChainDer[caChainDer.length - 1];
    if (!last || !this.#roots().some((r) => r.equals(last))) {
      throw invalidInput("the CA's chain does not end at a root this log accepts");
    }
    const known = this.#ownIssuers;
    if (known && known.chain.length === caChainDer.length && known.chain.every((c, i) => c.equals(caChainDer[i]!))) {
      return known.issuerKeyHash;
    }
    // The chain's links, as add-chain checks them; a plain chain (no poison) from the intermediate up.
    await acceptChain(caChainDer, this.#roots(), false);
    const issuerKeyHash = precertIssuerKeyHash(caChainDer[0]!);
    this.#ownIssuers = { chain: caChainDer.map((c) => Buffer.from(c)), issuerKeyHash };
    return issuerKeyHash;
  }

  /** Queues an accepted entry for the next group commit, or answers the SCT it already has. */
  #enqueue(identity: Buffer, entry: SignedEntry, chain: Buffer[]): Promise<Sct> {
    const existing = this.#store.byIdentity(identity);
    if (existing) return Promise.resolve(this.#sct(existing.timestamp, decodeDigitallySigned(existing.sctSignature)));
    const key = identity.toString('hex');
    const queued = this.#queued.get(key);
    if (queued) return queued;
    const promise = new Promise<Sct>((resolve, reject) => {
      this.#queue.push({ identity, entry, chain, resolve, reject });
      if (this.#queue.length === 1 && !this.#writing) setImmediate(() => void this.#flush());
    });
    this.#queued.set(key, promise);
    return promise;
  }

  /** Signs and commits everything queued; every waiter learns the outcome of the one transaction. */
  async #flush(): Promise<void> {
    const batch = this.#queue.splice(0);
    if (batch.length === 0) return;
    this.#writing = true;
    try {
      const rows = batch.map((p) => {
        const timestamp = this.#clock();
        const signature = digitallySign(this.key.privateKey, sctSignedData(p.entry, timestamp, NO_EXTENSIONS));
        return { p, timestamp, signature, leafInput: merkleTreeLeaf(timestamp, p.entry, NO_EXTENSIONS) };
      });
      const prepared = this.#tree.prepare(rows.map((r) => r.leafInput));
      await this.#store.append(
        rows.map((r, i) => ({
          index: prepared.start + i,
          identity: r.p.identity,
          leafHash: prepared.leafHashes[i]!,
          leafInput: r.leafInput,
          extraData: extraData(r.p.entry.type, r.p.chain),
          timestamp: r.timestamp,
          sctSignature: encodeDigitallySigned(r.signature),
          nodes: prepared.nodes[i]!,
        })),
      );
      prepared.commit();
      for (const r of rows) r.p.resolve(this.#sct(r.timestamp, r.signature));
    } catch (e) {
      this.#onStorageError();
      const failure = isStorageFull(e)
        ? new SignetError('pushback', 'the CT log storage is full; retry later', {
            cause: e,
            detail: { retryAfter: '30' },
          })
        : e;
      for (const p of batch) p.reject(failure);
    } finally {
      for (const p of batch) this.#queued.delete(p.identity.toString('hex'));
      this.#writing = false;
      // What arrived during the commit goes out now, as the next group.
      if (this.#queue.length > 0) setImmediate(() => void this.#flush());
    }
  }

  /** get-sth: the current tree head, signed once per tree size. */
  signedTreeHead(): SignedTreeHead {
    const treeSize = this.#tree.size;
    if (this.#sthCache?.treeSize === treeSize) return this.#sthCache;
    const timestamp = Math.max(this.#clock(), this.#sthCache?.timestamp ?? 0);
    const rootHash = this.#tree.currentRoot();
    const tbs = new TlsWriter().u8(0).u8(1).u64(timestamp).u64(treeSize).bytes(rootHash).finish();
    const signature = encodeDigitallySigned({
      hashAlgorithm: 4,
      signatureAlgorithm: 3,
      signature: sign('sha256', tbs, this.key.privateKey),
    });
    this.#sthCache = { treeSize, timestamp, rootHash, signature };
    return this.#sthCache;
  }

  async consistency(first: number, second: number): Promise<Buffer[]> {
    const size = this.#store.size();
    if (first > second || second > size) {
      throw invalidInput(`need 0 <= first <= second <= tree size (${size}); got first=${first} second=${second}`);
    }
    if (first === 0 || first === second) return [];
    return this.#tree.consistency(first, second);
  }

  async proofByHash(leafHash: Buffer, treeSize: number): Promise<{ leafIndex: number; auditPath: Buffer[] }> {
    if (leafHash.length !== 32) throw invalidInput('hash must be a base64 SHA-256 leaf hash (32 bytes)');
    const size = this.#store.size();
    if (treeSize < 1 || treeSize > size) throw invalidInput(`tree_size must be between 1 and ${size}`);
    const leafIndex = this.#store.indexOfLeafHash(leafHash);
    if (leafIndex === undefined || leafIndex >= treeSize)
      throw notFound(`no leaf with that hash in a tree of size ${treeSize}`);
    return { leafIndex, auditPath: await this.#tree.inclusion(leafIndex, treeSize) };
  }

  /** get-entry-and-proof (RFC 6962 §4.8): one entry with its audit path in the tree of `treeSize`. */
  async entryAndProof(leafIndex: number, treeSize: number) {
    const size = this.#tree.size;
    if (treeSize < 1 || treeSize > size || leafIndex >= treeSize) {
      throw invalidInput(`need 0 <= leaf_index < tree_size <= ${size}`);
    }
    const [entry] = this.#store.entries(leafIndex, leafIndex);
    return { entry: entry!, auditPath: await this.#tree.inclusion(leafIndex, treeSize) };
  }

  entries(start: number, end: number) {
    const size = this.#store.size();
    if (start < 0 || end < start) throw invalidInput('need 0 <= start <= end');
    if (start >= size) throw invalidInput(`start is beyond the tree size (${size})`);
    return this.#store.entries(start, Math.min(end, size - 1, start + MAX_ENTRIES_PER_GET - 1));
  }

  #sct(timestamp: number, signature: Sct['signature']): Sct {
    return { version: 0, logId: this.key.logId, timestamp, extensions: Buffer.alloc(0), signature };
  }
}
