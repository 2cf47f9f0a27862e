import { isSignetError, SignetError, verificationFailed } from '../errors.js';
import {
  consistencyProof,
  entriesPath,
  leafHash,
  rootAt,
  tileNodeReader,
  tilePath,
  TILE_WIDTH,
  tileWidth,
  verifyInclusion,
  type NodeReader,
} from '../merkle/index.js';
import { RekorClient, type FetchLike } from '../rekor-client/index.js';

/** One entry as the log served it, already proven to be leaf `index` of the tree the monitor checks against. */
export interface LogLeaf {
  index: number;
  body: Buffer;
  /** The Rekor entry UUID, when the API names one. */
  uuid?: string;
}

/** The tree a set of leaves is checked against. */
export interface CheckedTree {
  size: number;
  rootHash: Buffer;
}

/**
 * How the monitor reads a log. Every method returns data the monitor can check: a signed checkpoint, a proof it
 * verifies, leaves whose inclusion in `tree` this source has proven (or throws a verification failure).
 */
export interface LogSource {
  readonly url: string;
  /** The latest checkpoint (a signed note), unverified. */
  latestCheckpoint(): Promise<string>;
  /** The RFC 6962 consistency proof from `from` to `to` (both at most the newest checkpoint's size). */
  consistencyProof(from: number, to: number): Promise<Buffer[]>;
  /** Leaves [start, end) of `tree`, each proven included in it (or in a tree `checkTree` accepts). */
  leaves(start: number, end: number, tree: CheckedTree, checkTree: TreeCheck): Promise<LogLeaf[]>;
}

/**
 * Accepts another tree of the same log that an entry's proof points at (Rekor v1 proves entries at the size when
 * they are fetched): its signed checkpoint must verify and the tree be consistent with the one being checked.
 */
export type TreeCheck = (note: string | undefined, size: number, rootHash: Buffer) => Promise<void>;

/**
 * The C2SP tlog-tiles read API: `/checkpoint`, hash tiles and entry bundles. Proofs are computed here from the
 * tiles the checkpoint implies, and the tiles are checked to hash to the checkpoint's root before any is used.
 */
export function tilesSource(url: string, fetchImpl: FetchLike = fetch): LogSource {
  const base = url.replace(/\/+$/, '');
  const get = getter(base, fetchImpl);
  const readers = new Map<number, NodeReader>();
  const readerAt = (size: number) => {
    let r = readers.get(size);
    if (!r) {
      r = tileNodeReader(size, (t) => get(tilePath(t)));
      readers.clear(); // one tree size at a time: tiles of older sizes are not needed again
      readers.set(size, r);
    }
    return r;
  };
  return {
    url: base,
    latestCheckpoint: async () => (await get('checkpoint')).toString('utf8'),
    consistencyProof: (from, to) => consistencyProof(from, to, readerAt(to)),
    async leaves(start, end, tree) {
      const read = readerAt(tree.size);
      if (!(await rootAt(tree.size, read)).equals(tree.rootHash)) {
        throw verificationFailed(`the tiles at size ${tree.size} do not hash to the checkpoint's root`);
      }
      const out: LogLeaf[] = [];
      for (let bundle = Math.floor(start / TILE_WIDTH); bundle * TILE_WIDTH < end; bundle++) {
        const width = tileWidth(0, bundle, tree.size);
        const bodies = splitEntryBundle(
          await get(entriesPath(bundle, width === TILE_WIDTH ? undefined : width)),
          width,
        );
        for (let i = 0; i < bodies.length; i++) {
          const index = bundle * TILE_WIDTH + i;
          if (index < start || index >= end) continue;
          if (!leafHash(bodies[i]!).equals(await read(0, index))) {
            throw verificationFailed(`entry ${index} in its entry bundle does not hash to the leaf in the tree`);
          }
          out.push({ index, body: bodies[i]! });
        }
      }
      return out;
    },
  };
}

/** An entry bundle: each entry as a big-endian uint16 length and that many bytes. */
function splitEntryBundle(bundle: Buffer, width: number): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < bundle.length) {
    if (at + 2 > bundle.length) throw verificationFailed('an entry bundle ends inside a length prefix');
    const len = bundle.readUInt16BE(at);
    if (at + 2 + len > bundle.length) throw verificationFailed('an entry bundle ends inside an entry');
    out.push(bundle.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  if (out.length !== width) throw verificationFailed(`an entry bundle holds ${out.length} entries, expected ${width}`);
  return out;
}

/** GETs `<base>/<path>`: the body of a 200, else an error naming the URL and status. */
function getter(base: string, fetchImpl: FetchLike): (path: string) => Promise<Buffer> {
  return async (path) => {
    const res = await fetchImpl(`${base}/${path}`);
    if (res.status !== 200) {
      throw new SignetError('pushback', `GET ${base}/${path}: HTTP ${res.status}`, {
        detail: { status: String(res.status) },
      });
    }
    return Buffer.from(await res.arrayBuffer());
  };
}

/** Rekor's v1 retrieve endpoint takes at most 10 indexes a request. */
const RETRIEVE_BATCH = 10;
const RETRIEVE_PARALLEL = 8;

/**
 * The Rekor v1 REST API. Each entry's own inclusion proof is checked against the monitor's tree: directly when the
 * proof is for that tree size, else through `checkTree` (its signed checkpoint and a consistency proof).
 *
 * `cosigned`: read the checkpoint the log publishes for witnesses (`GET /checkpoint`, with their cosignature
 * lines) instead of `signedTreeHead`, which cannot carry them: Rekor's own note parser refuses a signature line
 * that is not the log's, so a v1 log keeps its tree head to the log's one signature.
 */
export function rekorV1Source(url: string, options: { fetch?: FetchLike; cosigned?: boolean } = {}): LogSource {
  const client = new RekorClient(url, options.fetch ? { fetch: options.fetch } : {});
  const get = getter(client.baseUrl, options.fetch ?? fetch);
  const publishedCheckpoint = () =>
    get('checkpoint').catch((e: unknown) => {
      if (!isSignetError(e) || e.detail.status !== '404') throw e;
      throw new SignetError(
        'invalid-input',
        `${client.baseUrl} publishes no witnessed checkpoint at /checkpoint (Rekor v1 has none): witness cosignatures need a log that does, such as signet's`,
      );
    });
  return {
    url: client.baseUrl,
    latestCheckpoint: async () =>
      options.cosigned ? (await publishedCheckpoint()).toString('utf8') : (await client.getLogInfo()).signedTreeHead,
    async consistencyProof(from, to) {
      const p = await client.getConsistencyProof(from, to);
      return p.hashes.map((h) => Buffer.from(h, 'hex'));
    },
    async leaves(start, end, tree, checkTree) {
      const batches: number[][] = [];
      for (let i = start; i < end; i += RETRIEVE_BATCH) {
        batches.push(Array.from({ length: Math.min(RETRIEVE_BATCH, end - i) }, (_, k) => i + k));
      }
      const out: LogLeaf[] = [];
      for (let i = 0; i < batches.length; i += RETRIEVE_PARALLEL) {
        const answers = await Promise.all(
          batches.slice(i, i + RETRIEVE_PARALLEL).map((logIndexes) => client.retrieveEntries({ logIndexes })),
        );
        for (const found of answers.flat()) out.push(await provenLeaf(found, tree, checkTree));
      }
      out.sort((a, b) => a.index - b.index);
      const missing = out.findIndex((leaf, k) => leaf.index !== start + k);
      if (missing >= 0 || out.length !== end - start) {
        throw verificationFailed(`the log did not serve every entry in [${start}, ${end}): it is hiding entries`);
      }
      return out;
    },
  };
}

async function provenLeaf(
  found: Awaited<ReturnType<RekorClient['retrieveEntries']>>[number],
  tree: CheckedTree,
  checkTree: TreeCheck,
): Promise<LogLeaf> {
  const body = Buffer.from(found.entry.body, 'base64');
  const index = found.entry.logIndex;
  const proof = found.entry.verification?.inclusionProof;
  if (!proof) throw verificationFailed(`entry ${index} came without an inclusion proof`);
  const leaf = leafHash(body);
  if (!leaf.equals(Buffer.from(found.uuid.slice(-64), 'hex'))) {
    throw verificationFailed(`entry ${index}'s body does not hash to its uuid ${found.uuid}`);
  }
  const rootHash = Buffer.from(proof.rootHash, 'hex');
  const hashes = proof.hashes.map((h) => Buffer.from(h, 'hex'));
  if (proof.logIndex !== index || !verifyInclusion(leaf, index, proof.treeSize, hashes, rootHash)) {
    throw verificationFailed(`entry ${index}'s inclusion proof does not lead to its root`);
  }
  if (proof.treeSize === tree.size) {
    if (!rootHash.equals(tree.rootHash)) {
      throw verificationFailed(`entry ${index} is proven into a different tree of size ${tree.size}: a fork`);
    }
  } else {
    await checkTree(proof.checkpoint, proof.treeSize, rootHash);
  }
  return { index, body, uuid: found.uuid };
}
