import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { acceptChain } from '../../src/ct/chain.js';
import { CertificateLog } from '../../src/ct/ct-log.js';
import { loadOrCreateLogKey } from '../../src/ct/log-key.js';
import { CtStore, type CtRow } from '../../src/ct/store.js';
import { SignetError } from '../../src/errors.js';
import { tempDir } from '../helpers/process.js';
import { makeLeaf, makePki } from './pki.js';

/** A store whose commits wait for the test to release them (or fail them), to watch what the log answers meanwhile. */
function gatedStore(path: string) {
  const store = new CtStore(path, { writerThread: false });
  const commit = store.append.bind(store);
  const pending: Array<{ rows: CtRow[]; release(): void; fail(e: Error): void }> = [];
  store.append = (rows) =>
    new Promise<void>((resolve, reject) => {
      pending.push({
        rows,
        release: () => commit(rows).then(resolve, reject),
        fail: reject,
      });
    });
  return { store, pending };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

test('group commit: no SCT before its commit resolved; arrivals during a commit form the next group; a full disk fails the group and keeps the tree', async (t) => {
  const dir = tempDir();
  const { store, pending } = gatedStore(join(dir, 'ct.db'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const pki = await makePki();
  const log = await CertificateLog.open(store, loadOrCreateLogKey(join(dir, 'key.pem')), () => [pki.root], Date.now);
  const certs = await Promise.all(Array.from({ length: 7 }, (_, i) => makeLeaf(pki, { serial: `3${i}` })));
  // Check every chain once first: verified links are remembered, so below each submission reaches the queue within
  // the turn it was made in (no thread-pool verification in between) and the groups do not depend on timing.
  for (const c of certs) await acceptChain([c, pki.intermediate], [pki.root], false);
  const settled = new Set<number>();
  const add = (i: number) => {
    const p = log.add([certs[i]!, pki.intermediate], false);
    void p.then(
      () => settled.add(i),
      () => settled.add(i),
    );
    return p;
  };

  // Three at once: one group, one commit, nothing answered while it is on its way.
  const first = [0, 1, 2].map(add);
  await tick();
  assert.equal(pending.length, 1);
  assert.equal(pending[0]!.rows.length, 3);
  assert.equal(settled.size, 0, 'an SCT was answered before its entry was committed');
  // Two arrive during the commit: they wait, and go out together after it.
  const second = [3, 4].map(add);
  await tick();
  assert.equal(pending.length, 1, 'a second commit started while the first was on its way');
  assert.equal(log.signedTreeHead().treeSize, 0, 'the tree moved before the commit');
  pending[0]!.release();
  await Promise.all(first);
  assert.equal(log.signedTreeHead().treeSize, 3);
  await tick();
  assert.equal(pending.length, 2);
  assert.deepEqual(
    pending[1]!.rows.map((r) => r.index),
    [3, 4],
  );
  assert.ok(!settled.has(3) && !settled.has(4));

  // That commit fails as on a full disk: both get the retryable error, the tree stays at 3, the next group goes on.
  pending[1]!.fail(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' }));
  for (const p of second) {
    await assert.rejects(
      p,
      (e: unknown) => e instanceof SignetError && e.code === 'pushback' && e.detail?.retryAfter === '30',
    );
  }
  assert.equal(log.signedTreeHead().treeSize, 3);
  const third = [5, 6].map(add);
  await tick();
  assert.deepEqual(
    pending[2]!.rows.map((r) => r.index),
    [3, 4],
  );
  pending[2]!.release();
  await Promise.all(third);
  assert.equal(log.signedTreeHead().treeSize, 5);
  assert.equal(store.size(), 5);
});
