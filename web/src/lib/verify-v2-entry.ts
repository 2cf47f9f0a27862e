import { equalBytes, fromBase64, fromHex, toHex, utf8 } from './bytes.js';
import type { LogKey } from './log-key.js';
import { leafHash, rootFromInclusionProof } from './merkle.js';
import { parseCheckpoint } from './note.js';
import type { CheckResult } from './verify-entry.js';

/** An entry of the Rekor v2 log as `/explorer/api/v2/entries/<n>` answers it. */
export interface V2EntryJson {
  logIndex: number;
  leafHash: string;
  body: string;
  inclusionProof: { logIndex: number; treeSize: number; rootHash: string; hashes: string[]; checkpoint: string };
}

/** The Rekor v2 log as `/explorer/api/v2/log` describes it. */
export interface V2LogJson {
  origin: string;
  /** Base64 C2SP signed-note key ID; its first 4 bytes are the key hash on checkpoint signature lines. */
  logId: string;
  publicKey: string;
  treeSize: number;
  rootHash: string;
  checkpoint: string;
}

/**
 * What a Rekor v2 client verifies: the leaf hash of the body, the inclusion proof to the checkpoint's root, and the
 * checkpoint's signature by the log's key under the log's origin. There is no SignedEntryTimestamp to check: v2
 * entries carry no log time (a timestamp authority's token in the bundle gives the signing time).
 */
export async function verifyV2Entry(e: V2EntryJson, log: V2LogJson, key: LogKey): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const check = async (name: string, fn: () => Promise<string>) => {
    try {
      out.push({ name, ok: true, detail: await fn() });
    } catch (err) {
      out.push({ name, ok: false, detail: err instanceof Error ? err.message : String(err) });
    }
  };
  const leaf = await leafHash(fromBase64(e.body));
  const p = e.inclusionProof;
  await check('Leaf hash is the hash of the body', async () => {
    if (toHex(leaf) !== e.leafHash.toLowerCase()) throw new Error(`the body hashes to ${toHex(leaf)}`);
    return toHex(leaf);
  });
  await check('Inclusion proof leads to the root hash', async () => {
    if (p.logIndex !== e.logIndex) throw new Error('the proof is for another log index');
    const root = await rootFromInclusionProof(p.logIndex, p.treeSize, leaf, p.hashes.map(fromHex));
    if (!equalBytes(root, fromHex(p.rootHash))) throw new Error(`the proof leads to ${toHex(root)}, not ${p.rootHash}`);
    return `${p.hashes.length} hashes, tree size ${p.treeSize}`;
  });
  await check('Checkpoint commits to that root and size', async () => {
    const cp = parseCheckpoint(p.checkpoint);
    if (cp.origin !== log.origin) throw new Error(`the checkpoint names origin ${cp.origin}, not ${log.origin}`);
    if (cp.size !== p.treeSize) throw new Error(`the checkpoint is for size ${cp.size}, not ${p.treeSize}`);
    if (toHex(cp.rootHash) !== p.rootHash.toLowerCase()) throw new Error('the checkpoint has another root hash');
    return cp.origin;
  });
  await check("Checkpoint is signed by the log's key", async () => {
    const cp = parseCheckpoint(p.checkpoint);
    const keyHash = toHex(fromBase64(log.logId).subarray(0, 4));
    const sig = cp.signatures.find((s) => s.keyHash === keyHash && s.name === log.origin);
    if (!sig) throw new Error(`no signature by ${log.origin} with key hash ${keyHash}`);
    if (!(await key.verify(utf8(cp.text), sig.signature)))
      throw new Error(`the signature by ${sig.name} does not verify`);
    return `${sig.name} (${key.algorithm})`;
  });
  return out;
}
