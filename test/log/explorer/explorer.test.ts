import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  EXPLORER_CSP,
  explorerDir,
  MemoryLogStore,
  sampleIndexes,
  TimelineSampler,
  type StoredEntry,
} from '../../../src/log/index.js';
import { logApp, type TestApp } from '../server/app.js';
import { hashedRekordSigner } from '../server/fixtures.js';

describe('explorer: sampled timeline', () => {
  it('spreads samples evenly and always includes the first and last entry', () => {
    assert.deepEqual(sampleIndexes(0, 64), []);
    assert.deepEqual(sampleIndexes(1, 64), [0]);
    assert.deepEqual(sampleIndexes(5, 64), [0, 1, 2, 3, 4]);
    const big = sampleIndexes(1_000_000, 64);
    assert.equal(big.length, 65);
    assert.equal(big[0], 0);
    assert.equal(big[64], 999_999);
    assert.ok(big.every((x, i) => i === 0 || x > big[i - 1]!));
  });

  it('reads a fixed number of rows however large the log, and caches until the tree grows', async () => {
    let size = 1_000_000;
    let reads = 0;
    let calls = 0;
    const store = {
      async entriesByIndex(indexes: number[]) {
        calls++;
        reads += indexes.length;
        return new Map(
          indexes.map((i) => [i, { logIndex: i, integratedTime: 1_700_000_000 + Math.floor(i / 100) } as StoredEntry]),
        );
      },
    } as unknown as MemoryLogStore;
    let now = 0;
    const sampler = new TimelineSampler(
      store,
      () => size,
      () => now,
    );
    const [a, b] = await Promise.all([sampler.timeline(), sampler.timeline()]);
    assert.equal(calls, 1, 'concurrent requests share one sampling');
    assert.equal(reads, 65);
    assert.deepEqual(a, b);
    assert.equal(a.points.at(-1)!.logIndex, 999_999);
    size++;
    await sampler.timeline();
    assert.equal(calls, 1, 'a grown tree is re-sampled at most every 5 s');
    now += 5000;
    const c = await sampler.timeline();
    assert.equal(calls, 2);
    assert.equal(c.treeSize, 1_000_001);
  });
});

describe('explorer: HTTP', () => {
  let t: TestApp;
  before(async () => {
    t = await logApp();
  });
  after(async () => t.close());

  it('serves the page at / with a strict CSP (or says how to build it), assets under /explorer/', async () => {
    const built = existsSync(join(explorerDir(), 'index.html'));
    const r = await t.app.inject({ method: 'GET', url: '/' });
    if (!built) {
      assert.equal(r.statusCode, 503);
      assert.match(r.body, /npm run build/);
      return;
    }
    assert.equal(r.statusCode, 200);
    assert.match(r.headers['content-type'] as string, /^text\/html/);
    assert.equal(r.headers['content-security-policy'], EXPLORER_CSP);
    assert.match(EXPLORER_CSP, /default-src 'none'/);
    assert.doesNotMatch(EXPLORER_CSP, /unsafe/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.match(r.body, /<script type="module" src="\/explorer\/app\.js"><\/script>/);
    const again = await t.app.inject({
      method: 'GET',
      url: '/',
      headers: { 'if-none-match': r.headers.etag as string },
    });
    assert.equal(again.statusCode, 304);
    const js = await t.app.inject({ method: 'GET', url: '/explorer/app.js' });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /^text\/javascript/);
    // No third-party origins anywhere in the shipped code.
    assert.doesNotMatch(js.body + r.body, /https?:\/\/(?!www\.w3\.org\/2000\/svg)[a-z]/);
  });

  it('answers unknown or traversal paths with a JSON 404', async () => {
    for (const url of ['/explorer/nope.js', '/explorer/..%2fpackage.json', '/explorer/index.html', '/explorer/']) {
      const r = await t.app.inject({ method: 'GET', url });
      assert.equal(r.statusCode, 404, url);
      assert.equal(r.json().code, 404);
    }
  });

  it('serves the timeline of the log, and leaves the Rekor API as it was', async () => {
    const empty = await t.app.inject({ method: 'GET', url: '/explorer/api/timeline' });
    assert.deepEqual(empty.json(), { treeSize: 0, points: [] });
    const signer = hashedRekordSigner();
    for (let i = 0; i < 3; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/log/entries', payload: signer.entry() as object });
      assert.equal(r.statusCode, 201);
    }
    const r = await t.app.inject({ method: 'GET', url: '/explorer/api/timeline' });
    const body = r.json() as { treeSize: number; points: Array<{ logIndex: number; integratedTime: number }> };
    assert.equal(body.treeSize, 3);
    assert.deepEqual(
      body.points.map((p) => p.logIndex),
      [0, 1, 2],
    );
    assert.ok(body.points.every((p) => Math.abs(p.integratedTime - Date.now() / 1000) < 60));
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/log' })).json().treeSize, 3);
  });

  it('pages a search newest first with a cursor, as /api/v1/index/retrieve finds them', async () => {
    const search = async (payload: object) => t.app.inject({ method: 'POST', url: '/explorer/api/search', payload });
    const signer = hashedRekordSigner();
    const other = hashedRekordSigner();
    const artifact = Buffer.from('paged search');
    const mine: number[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/log/entries', payload: signer.entry() as object });
      mine.push((Object.values(r.json() as object)[0] as { logIndex: number }).logIndex);
      await t.app.inject({ method: 'POST', url: '/api/v1/log/entries', payload: other.entry() as object });
    }
    const byArtifact = await t.app.inject({
      method: 'POST',
      url: '/api/v1/log/entries',
      payload: signer.entry(artifact) as object,
    });
    mine.push((Object.values(byArtifact.json() as object)[0] as { logIndex: number }).logIndex);
    const publicKey = { format: 'x509', content: Buffer.from(signer.pem).toString('base64') };
    const newestFirst = [...mine].reverse();

    const all = await search({ publicKey });
    assert.equal(all.statusCode, 200);
    assert.deepEqual(all.json(), { logIndexes: newestFirst });
    const p1 = (await search({ publicKey, limit: 4 })).json() as { logIndexes: number[]; next?: number };
    assert.deepEqual(p1, { logIndexes: newestFirst.slice(0, 4), next: newestFirst[3] });
    const p2 = (await search({ publicKey, limit: 4, before: p1.next })).json() as { logIndexes: number[] };
    assert.deepEqual(p2, { logIndexes: newestFirst.slice(4) });
    // The same set as Rekor's unpaged answer.
    const rekor = await t.app.inject({ method: 'POST', url: '/api/v1/index/retrieve', payload: { publicKey } });
    assert.equal((rekor.json() as string[]).length, mine.length);
    // Fields are or-ed; an exact hash names one entry.
    const sha = createHash('sha256').update(artifact).digest('hex');
    assert.deepEqual((await search({ hash: `sha256:${sha}` })).json(), { logIndexes: [mine.at(-1)] });
    assert.deepEqual((await search({ email: 'nobody@example.com' })).json(), { logIndexes: [] });

    for (const [payload, status] of [
      [{ publicKey, limit: 0 }, 422],
      [{ publicKey, limit: 1001 }, 422],
      [{ publicKey, before: -1 }, 422],
      [{ publicKey, limit: 'x' }, 422],
      [{ publicKey, colour: 'red' }, 422],
      [{ publicKey, hash: `sha256:${sha}`, operator: 'and' }, 400],
    ] as const) {
      const r = await search(payload);
      assert.equal(r.statusCode, status, JSON.stringify(payload));
      assert.equal(typeof r.json().message, 'string');
    }
  });
});
