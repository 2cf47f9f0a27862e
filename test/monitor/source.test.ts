import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rekorV1Source } from '../../src/monitor/index.js';

describe('Rekor v1 source', () => {
  it('with witnesses, reads the published /checkpoint, and says plainly when the log publishes none', async () => {
    const asked: string[] = [];
    const served = (status: number, body: string) => async (url: string) => {
      asked.push(url);
      return new Response(body, { status });
    };
    const note = 'log.example - 1\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n\n— log.example AAAA\n';
    const cosigned = rekorV1Source('http://log.example', { fetch: served(200, note), cosigned: true });
    assert.equal(await cosigned.latestCheckpoint(), note);
    assert.deepEqual(asked, ['http://log.example/checkpoint']);
    const rekor = rekorV1Source('http://rekor.example', { fetch: served(404, '{}'), cosigned: true });
    await assert.rejects(
      rekor.latestCheckpoint(),
      /publishes no witnessed checkpoint at \/checkpoint \(Rekor v1 has none\)/,
    );
    const down = rekorV1Source('http://down.example', { fetch: served(503, ''), cosigned: true });
    await assert.rejects(down.latestCheckpoint(), /GET http:\/\/down\.example\/checkpoint: HTTP 503/);
  });
});
