import { equalBytes, fromBase64, fromHex, toHex, utf8 } from './bytes.js';
import { leafHashOfEntryId, setPayload, type LogKey } from './log-key.js';
import { leafHash, rootFromInclusionProof } from './merkle.js';
import { parseCheckpoint } from './note.js';

/** Rekor's `LogEntryAnon` as the API returns it. */
export interface LogEntryJson {
  body: string;
  integratedTime: number;
  logID: string;
  logIndex: number;
  verification?: {
    signedEntryTimestamp?: string;
    inclusionProof?: { logIndex: number; rootHash: string; treeSize: number; hashes: string[]; checkpoint: string };
  };
}

export interface CheckResult {
  name: string;
  ok: boolean;
  detail: string;
}

/**
 * Verifies what a client verifies offline: the entry ID is the body's leaf hash, the inclusion proof leads to the
 * proof's root, the checkpoint signs that root at that size with the log's key, and the SignedEntryTimestamp.
 * Every check runs (a failure does not hide the others); the entry verifies when all pass.
 */
export async function verifyEntry(entryId: string, e: LogEntryJson, key: LogKey): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const check = async (name: string, fn: () => Promise<string>) => {
    try {
      out.push({ name, ok: true, detail: await fn() });
    } catch (err) {
      out.push({ name, ok: false, detail: err instanceof Error ? err.message : String(err) });
    }
  };
  const body = fromBase64(e.body);
  const leaf = await leafHash(body);
  const proof = e.verification?.inclusionProof;
  await check('Entry ID is the leaf hash of the body', async () => {
    if (!equalBytes(leafHashOfEntryId(entryId), leaf)) throw new Error(`the body hashes to ${toHex(leaf)}`);
    return toHex(leaf);
  });
  await check('Inclusion proof leads to the root hash', async () => {
    if (!proof) throw new Error('the entry has no inclusion proof');
    if (proof.logIndex !== e.logIndex) throw new Error('the proof is for another log index');
    const root = await rootFromInclusionProof(proof.logIndex, proof.treeSize, leaf, proof.hashes.map(fromHex));
    if (!equalBytes(root, fromHex(proof.rootHash)))
      throw new Error(`the proof leads to ${toHex(root)}, not ${proof.rootHash}`);
    return `${proof.hashes.length} hashes, tree size ${proof.treeSize}`;
  });
  await check('Checkpoint commits to that root and size', async () => {
    if (!proof) throw new Error('the entry has no checkpoint');
    const cp = parseCheckpoint(proof.checkpoint);
    if (cp.size !== proof.treeSize) throw new Error(`the checkpoint is for size ${cp.size}, not ${proof.treeSize}`);
    if (toHex(cp.rootHash) !== proof.rootHash.toLowerCase()) throw new Error('the checkpoint has another root hash');
    return cp.origin;
  });
  await check("Checkpoint is signed by the log's key", async () => {
    if (!proof) throw new Error('the entry has no checkpoint');
    const cp = parseCheckpoint(proof.checkpoint);
    const sig = cp.signatures.find((s) => s.keyHash === key.keyHash);
    if (!sig) throw new Error(`no signature with the log's key hash ${key.keyHash}`);
    if (!(await key.verify(utf8(cp.text), sig.signature)))
      throw new Error(`the signature by ${sig.name} does not verify`);
    return `${sig.name} (${key.algorithm})`;
  });
  await check('Signed entry timestamp is valid', async () => {
    const set = e.verification?.signedEntryTimestamp;
    if (!set) throw new Error('the entry has no signed entry timestamp');
    if (e.logID !== key.logId) throw new Error('the entry names another log ID');
    if (!(await key.verify(setPayload(e), fromBase64(set)))) throw new Error('the signature does not verify');
    return `integrated ${new Date(e.integratedTime * 1000).toISOString()}`;
  });
  return out;
}
