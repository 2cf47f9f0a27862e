import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { hashedRekordSigner } from '../server/fixtures.js';

/** What a client saw for one POST. */
export interface Outcome {
  status: number | 'network-error';
  uuid?: string;
  logIndex?: number;
  checkpoint?: { size: number; root: string };
  body: unknown;
}

const h = (...parts: Buffer[]) => {
  const x = createHash('sha256');
  for (const p of parts) x.update(p);
  return x.digest();
};
export const leafOf = (body: Buffer) => h(Buffer.from([0]), body);

/** RFC 6962 root over leaf hashes (independent of src/merkle). */
export function root(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return h();
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return h(Buffer.from([1]), root(leaves.slice(0, k)), root(leaves.slice(k)));
}

/** RFC 6962 PATH(m, D[n]) over leaf hashes, leaf sibling first. */
export function path(m: number, leaves: Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  if (m < k) return [...path(m, leaves.slice(0, k)), root(leaves.slice(k))];
  return [...path(m - k, leaves.slice(k)), root(leaves.slice(0, k))];
}

/** POSTs one fresh hashedrekord entry; never throws. */
export async function post(url: string, entry: unknown): Promise<Outcome> {
  try {
    const r = await fetch(`${url}/api/v1/log/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(entry),
      signal: AbortSignal.timeout(30_000),
    });
    const body: any = await r.json().catch(() => undefined);
    if (r.status !== 201) return { status: r.status, body: { ...body, retryAfter: r.headers.get('retry-after') } };
    const [uuid, e] = Object.entries(body)[0] as [string, any];
    const p = e.verification.inclusionProof;
    return { status: 201, uuid, logIndex: e.logIndex, checkpoint: { size: p.treeSize, root: p.rootHash }, body };
  } catch (err) {
    return { status: 'network-error', body: String(err) };
  }
}

/** A burst of `n` POSTs, `concurrency` at a time, spread round-robin over `urls()` (re-read per request). */
export async function burst(
  urls: () => string[],
  n: number,
  concurrency: number,
  onResult?: (o: Outcome, done: number) => void,
) {
  const signer = hashedRekordSigner();
  const out: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const u = urls();
      const o = await post(u[i % u.length]!, signer.entry());
      out.push(o);
      onResult?.(o, out.length);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/**
 * Audits a log from its tiles and API after a crash: the tiles rebuild the current checkpoint's root; every
 * acknowledged entry is at its index with the same UUID and a proof to a head that includes it; every checkpoint
 * seen before is a prefix of the current tree (its root recomputed from the current leaves); leaf hashes are unique.
 */
export async function auditLog(
  url: string,
  acknowledged: Outcome[],
  checkpointsSeen: Array<{ size: number; root: string }>,
) {
  const cp = (await (await fetch(`${url}/api/v1/log`)).json()) as any;
  const size = Number(cp.treeSize);
  let leaves = await tileLeaves(url, size);
  assert.equal(leaves.length, size);
  assert.equal(root(leaves).toString('hex'), cp.rootHash, 'tiles rebuild the current root');
  assert.equal(new Set(leaves.map((l) => l.toString('hex'))).size, size, 'no entry sequenced twice');
  for (const c of checkpointsSeen) {
    assert.ok(c.size <= size, `checkpoint ${c.size} is not beyond the tree`);
    assert.equal(root(leaves.slice(0, c.size)).toString('hex'), c.root, `checkpoint at ${c.size} is a prefix`);
  }
  for (const a of acknowledged) {
    const leaf = Buffer.from(a.uuid!.slice(-64), 'hex');
    assert.deepEqual(leaves[a.logIndex!], leaf, `acknowledged entry ${a.logIndex} is in the tree`);
    const r = await fetch(`${url}/api/v1/log/entries?logIndex=${a.logIndex}`);
    const e = Object.values((await r.json()) as object)[0] as any;
    const body = Buffer.from(e.body, 'base64');
    assert.deepEqual(leafOf(body), leaf);
    const p = e.verification.inclusionProof;
    // Entries left waiting by a crashed frontend may be sequenced after we read the size: read the longer tree.
    if (p.treeSize > leaves.length) leaves = await tileLeaves(url, p.treeSize);
    assert.equal(root(leaves.slice(0, p.treeSize)).toString('hex'), p.rootHash);
    assert.deepEqual(
      p.hashes,
      path(a.logIndex!, leaves.slice(0, p.treeSize)).map((x) => x.toString('hex')),
    );
  }
  return { size, leaves };
}

/** Level-0 hashes of the first `size` entries, from tiles only. */
async function tileLeaves(url: string, size: number): Promise<Buffer[]> {
  const leaves: Buffer[] = [];
  for (let n = 0; n * 256 < size; n++) {
    const w = Math.min(256, size - n * 256);
    assert.ok(n < 1000, 'audit reads at most 256k entries');
    const r = await fetch(`${url}/tile/0/${String(n).padStart(3, '0')}${w === 256 ? '' : `.p/${w}`}`);
    assert.equal(r.status, 200);
    const b = Buffer.from(await r.arrayBuffer());
    for (let i = 0; i < w; i++) leaves.push(b.subarray(i * 32, i * 32 + 32));
  }
  return leaves;
}
