import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { packBatch, unpackBatch } from '../../../src/log/storage/sqlite-batch.js';
import type { Batch } from '../../../src/log/storage/store.js';

describe('SQLite writer batches', () => {
  it('cross to the writer thread packed and come back equal', () => {
    const batch: Batch = {
      entries: Array.from({ length: 5 }, (_, i) => ({
        logIndex: 1000 + i,
        leafHash: randomBytes(32),
        integratedTime: 1_790_000_000 + i,
        body: randomBytes(300 + i),
        signedEntryTimestamp: i === 2 ? Buffer.alloc(0) : randomBytes(71),
        indexKeys: Array.from({ length: i }, (_, k) => `key-${i}-${k}`),
        ...(i % 2 ? { attestation: { mediaType: `type/${i}`, data: randomBytes(i * 10) } } : {}),
      })),
      nodes: Array.from({ length: 4 }, (_, i) => ({ level: 1 + i, index: 2 ** 40 + i, hash: randomBytes(32) })),
      head: { size: 1005, rootHash: randomBytes(32), checkpoint: 'log.test - 1\n1005\nroot\n\n— sig\n' },
    };
    const { packed, transfer } = packBatch(batch);
    assert.deepEqual(transfer, [packed.nums.buffer, packed.bytes.buffer]);
    // Through structured clone with the transfer, as postMessage sends it.
    const received = structuredClone(packed, { transfer });
    assert.deepEqual(unpackBatch(received), batch);
    const empty: Batch = { entries: [], nodes: [], head: { size: 0, rootHash: randomBytes(32), checkpoint: 'c' } };
    assert.deepEqual(unpackBatch(packBatch(empty).packed), empty);
  });
});
