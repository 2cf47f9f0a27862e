import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { logEntryJson, logEntryJsonText } from '../../../src/log/index.js';
import type { EntryWithProof } from '../../../src/log/log.js';

function entry(hashes: number, attestation: boolean): EntryWithProof {
  return {
    entryId: randomBytes(40).toString('hex'),
    entry: {
      logIndex: 12345,
      leafHash: randomBytes(32),
      integratedTime: 1_790_000_000,
      body: randomBytes(700),
      signedEntryTimestamp: randomBytes(71),
      indexKeys: ['sha256:ab'],
      ...(attestation ? { attestation: { mediaType: 'application/json', data: randomBytes(90) } } : {}),
    },
    proof: {
      logIndex: 12345,
      treeSize: 20000,
      rootHash: randomBytes(32),
      hashes: Array.from({ length: hashes }, () => randomBytes(32)),
      checkpoint: 'log.test - 123\n20000\nq83vEjRWeJA=\n\n— log.test AbCd"\\\n',
    },
  };
}

describe('LogEntry JSON', () => {
  it('the text form is exactly JSON.stringify of the object form', () => {
    for (const hashes of [0, 1, 15]) {
      for (const attestation of [false, true]) {
        for (const withAttestation of [false, true]) {
          const e = entry(hashes, attestation);
          const logId = randomBytes(32).toString('hex');
          assert.equal(
            logEntryJsonText(e, logId, withAttestation),
            JSON.stringify(logEntryJson(e, logId, withAttestation)),
          );
        }
      }
    }
  });
});
