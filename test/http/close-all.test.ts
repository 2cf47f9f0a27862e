import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeAll } from '../../src/http/index.js';

describe('closeAll', () => {
  it('runs every step in order, past failures, then throws the first failure', async () => {
    const ran: string[] = [];
    const first = new Error('first');
    await assert.rejects(
      closeAll([
        () => void ran.push('a'),
        async () => {
          ran.push('b');
          throw first;
        },
        undefined,
        () => {
          ran.push('c');
          throw new Error('second');
        },
        async () => void ran.push('d'),
      ]),
      (e) => e === first,
    );
    assert.deepEqual(ran, ['a', 'b', 'c', 'd']);
    await closeAll([]);
  });
});
