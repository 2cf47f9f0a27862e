/**
 * Merkle hashing and proof rates on one core, each with its ratio to the raw node:crypto work it stands on:
 * leaf hashing against `createHash('sha256')` of the same bytes, proof verification against hashing the same
 * number of 65-byte nodes, proof building and appends likewise. Prints `name: figure (ratio x baseline)`.
 *
 *   npx tsx bench/merkle.ts            (or: npm run build && node dist/bench/merkle.js)
 */
import { createHash } from 'node:crypto';
import {
  CompactRange,
  inclusionProof,
  leafHash,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
  consistencyProof,
} from '../src/merkle/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);

async function rate(fn: () => unknown): Promise<number> {
  for (let i = 0; i < 500; i++) await fn();
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) await fn();
    n += 100;
  }
  return n / SECONDS;
}

function report(name: string, figure: number, unit: string, baseline: number, baseName: string): void {
  console.log(`${name}: ${figure.toFixed(0)} ${unit} (${(figure / baseline).toFixed(2)}x ${baseName})`);
}

async function main(): Promise<void> {
  const leaf = Buffer.alloc(1024, 0x5a);
  const rawLeaf = await rate(() => createHash('sha256').update(leaf).digest());
  report(
    'leaf hash (1 KiB)',
    await rate(() => leafHash(leaf)),
    'hashes/s',
    rawLeaf,
    'raw createHash sha256 of the leaf',
  );

  const a = createHash('sha256').update('a').digest();
  const node = Buffer.concat([Buffer.from([1]), a, a]);
  const rawNode = await rate(() => createHash('sha256').update(node).digest());
  report('node hash', await rate(() => nodeHash(a, a)), 'hashes/s', rawNode, 'raw createHash sha256 of 65 bytes');

  // A tree of 2^20 + 12345 leaves (20-hash proofs), built with CompactRange and kept in memory.
  const size = (1 << 20) + 12345;
  const nodes = new Map<number, Buffer>();
  const key = (level: number, index: number) => level * 2 ** 40 + index;
  const range = CompactRange.empty();
  const t0 = performance.now();
  for (let i = 0; i < size; i++)
    range.append(leafHash(Buffer.from(`leaf ${i}`)), (l, idx, h) => nodes.set(key(l, idx), h));
  const appendRate = size / ((performance.now() - t0) / 1000);
  report(
    'append (leaf hash + compact range + store callback)',
    appendRate,
    'leaves/s',
    rawNode / 2,
    'raw two-hash bound',
  );
  const read = (level: number, index: number) => nodes.get(key(level, index))!;
  const root = range.root();

  let i = 0;
  const proofs = await Promise.all(
    Array.from({ length: 1024 }, (_, k) => inclusionProof((k * 1009) % size, size, read)),
  );
  const perProof = proofs[0]!.length;
  const buildRate = await rate(() => inclusionProof((i++ * 7919) % size, size, read));
  report(
    'inclusion proof build (in-memory nodes)',
    buildRate,
    'proofs/s',
    rawNode / perProof,
    `raw hashing of ${perProof} nodes`,
  );

  let j = 0;
  const verifyRate = await rate(() => {
    const k = j++ % 1024;
    const idx = (k * 1009) % size;
    if (!verifyInclusion(leafHash(Buffer.from(`leaf ${idx}`)), idx, size, proofs[k]!, root))
      throw new Error('bad proof');
  });
  report(
    'inclusion proof verify (incl. leaf hash)',
    verifyRate,
    'verifies/s',
    rawNode / (perProof + 1),
    `raw hashing of ${perProof + 1} nodes`,
  );

  const old = await CompactRange.fromSize(size - 5000, read);
  const cproof = await consistencyProof(size - 5000, size, read);
  const oldRoot = old.root();
  const cRate = await rate(() => verifyConsistency(size - 5000, size, cproof, oldRoot, root));
  report(
    'consistency proof verify',
    cRate,
    'verifies/s',
    rawNode / (2 * cproof.length),
    `raw hashing of ${2 * cproof.length} nodes`,
  );
}

await main();
