import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closeAll, closeServices, type Service } from '../../src/http/index.js';

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

  it('closeServices closes the last started first, every one, and leaves the list as it was', async () => {
    const closed: string[] = [];
    const service = (name: string, fails = false): Service => ({
      name,
      register: async () => undefined,
      close: async () => {
        closed.push(name);
        if (fails) throw new Error(`${name} failed`);
      },
    });
    const services = [service('log'), service('ct', true), service('ca')];
    await assert.rejects(closeServices(services), /ct failed/);
    assert.deepEqual(closed, ['ca', 'ct', 'log']);
    assert.deepEqual(
      services.map((s) => s.name),
      ['log', 'ct', 'ca'],
    );
  });
});
