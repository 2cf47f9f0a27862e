import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalJson } from '../../src/encoding/index.js';
import { setPayload } from '../../src/log/index.js';

describe('SET payload', () => {
  it('is the RFC 8785 form of {body, integratedTime, logID, logIndex}', () => {
    const cases = [
      { body: Buffer.alloc(0), integratedTime: 0, logIndex: 0, logId: '' },
      { body: randomBytes(1), integratedTime: -1, logIndex: Number.MAX_SAFE_INTEGER, logId: 'ab' },
      { body: randomBytes(2), integratedTime: 1.5, logIndex: 3, logId: randomBytes(32).toString('hex') },
      { body: randomBytes(5), integratedTime: 1e21, logIndex: 3, logId: 'AB"\\' },
      ...Array.from({ length: 50 }, () => ({
        body: randomBytes(randomInt(2000)),
        integratedTime: randomInt(2 ** 40),
        logIndex: randomInt(2 ** 40),
        logId: randomBytes(32).toString('hex'),
      })),
    ];
    for (const { body, integratedTime, logIndex, logId } of cases) {
      const want = canonicalJson({ body: body.toString('base64'), integratedTime, logID: logId, logIndex });
      assert.equal(setPayload(logId, { body, integratedTime, logIndex }).toString('utf8'), want);
    }
  });
});
