import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { signetBin } from '../helpers/env.js';
import { runSignetAsync, stopProcess, tempDir } from '../helpers/process.js';
import { FakeLog, hashedRekordBody } from '../monitor/fake-log.js';
import { cosignatureV1Signer, formatVerifierKey, NOTE_TYPE } from '../../src/note/index.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const EXIT = { clean: 0, error: 1, match: 2, misbehaviour: 3 };
const pem = () =>
  generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
const digest = (s: string) => createHash('sha256').update(s).digest('hex');

/** JSON event lines from both streams. */
function events(r: { stdout: string; stderr: string }): Array<Record<string, unknown>> {
  return (r.stdout + r.stderr)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('signet monitor against a log that misbehaves', () => {
  let log: FakeLog;
  let dir: string;
  const monitor = (...extra: string[]) =>
    runSignetAsync(['monitor', '--url', log.url, '--state-dir', dir, '--once', '--output', 'json', ...extra]);

  beforeEach(async () => {
    await log?.stop();
    log = await new FakeLog().start();
    for (let i = 0; i < 5; i++) log.leaves.push(hashedRekordBody(pem(), digest(`artifact ${i}`)));
    dir = tempDir('signet-monitor-');
    dirs.push(dir);
  });
  after(() => log?.stop());

  it('follows a healthy log: first checkpoint, then consistent growth, state resumes', async () => {
    const first = await monitor();
    assert.equal(first.status, EXIT.clean, first.stderr);
    assert.deepEqual(events(first).find((e) => e.event === 'checkpoint')?.size, 5);
    for (let i = 5; i < 27; i++) log.leaves.push(hashedRekordBody(pem(), digest(`artifact ${i}`)));
    const second = await monitor();
    assert.equal(second.status, EXIT.clean, second.stderr);
    const cp = events(second).find((e) => e.event === 'checkpoint')!;
    assert.equal(cp.size, 27);
    assert.equal(cp.previousSize, 5);
    assert.deepEqual(
      events(second)
        .filter((e) => e.event === 'entries')
        .map((e) => [e.start, e.end]),
      [[5, 27]],
    );
  });

  const misbehaviours: Array<[string, string, (l: FakeLog) => void]> = [
    [
      'history rewritten under a bigger tree',
      'fork',
      (l) => {
        l.leaves[2] = hashedRekordBody(pem(), digest('replaced'));
        l.leaves.push(hashedRekordBody(pem(), digest('more')));
      },
    ],
    ['same size, another root', 'fork', (l) => void (l.leaves[4] = hashedRekordBody(pem(), digest('swapped')))],
    ['a stale (smaller) checkpoint', 'rollback', (l) => void (l.servedSize = 3)],
    [
      'a checkpoint signed by another key',
      'bad-checkpoint',
      (l) => {
        l.forgingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
      },
    ],
    [
      'entries hidden from retrieve',
      'bad-entry',
      (l) => {
        l.leaves.push(hashedRekordBody(pem(), digest('hidden')));
        l.hidden.add(5);
      },
    ],
  ];
  for (const [name, type, misbehave] of misbehaviours) {
    it(`detects ${name} as ${type}, exits ${EXIT.misbehaviour} and keeps the good state`, async () => {
      writeFileSync(join(dir, 'log.pem'), log.publicKeyPem());
      const key = ['--public-key', join(dir, 'log.pem')];
      assert.equal((await monitor(...key)).status, EXIT.clean);
      misbehave(log);
      const r = await monitor(...key);
      assert.equal(r.status, EXIT.misbehaviour, r.stdout + r.stderr);
      const alert = events(r).find((e) => e.event === 'misbehaviour');
      assert.equal(alert?.type, type, JSON.stringify(alert));
      // Still alarmed on the next pass: the state was not moved onto the bad tree.
      assert.equal((await monitor(...key)).status, EXIT.misbehaviour);
    });
  }

  it('catches a split view between two vantage points, and accepts an agreeing one', async () => {
    const other = await new FakeLog(log.key, new URL(log.url).host).start();
    try {
      other.leaves = log.leaves.slice(0, 3); // a mirror that lags: a prefix is fine
      const agree = await monitor('--compare-url', other.url);
      assert.equal(agree.status, EXIT.clean, agree.stdout + agree.stderr);
      other.leaves = [...log.leaves.slice(0, 4), hashedRekordBody(pem(), digest('the other view'))];
      const r = await monitor('--compare-url', other.url);
      assert.equal(r.status, EXIT.misbehaviour, r.stdout + r.stderr);
      const alert = events(r).find((e) => e.event === 'misbehaviour');
      assert.equal(alert?.type, 'split-view');
      assert.match(String(alert?.message), /forked/);
    } finally {
      await other.stop();
    }
  });

  it('reports watched keys and artifact hashes, posts alerts to a webhook, exits 2', async () => {
    const watchedKey = pem();
    const seen: unknown[] = [];
    const hook = createServer((req, res) => {
      let b = '';
      req.on('data', (d) => (b += d));
      req.on('end', () => {
        seen.push(JSON.parse(b));
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    try {
      const { createPublicKey } = await import('node:crypto');
      const fp = createHash('sha256')
        .update(createPublicKey(watchedKey).export({ type: 'spki', format: 'der' }))
        .digest('hex');
      writeFileSync(
        join(dir, 'watch.json'),
        JSON.stringify({ fingerprints: [fp], artifactHashes: [`sha256:${digest('artifact 1')}`] }),
      );
      log.leaves.push(hashedRekordBody(watchedKey, digest('new release')));
      const hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/alert`;
      const r = await monitor('--config', join(dir, 'watch.json'), '--start-index', '0', '--webhook', hookUrl);
      assert.equal(r.status, EXIT.match, r.stdout + r.stderr);
      const matches = events(r).filter((e) => e.event === 'match');
      assert.deepEqual(
        matches.map((m) => m.index),
        [1, 5],
      );
      assert.equal(seen.length, 2);
    } finally {
      await new Promise((r) => hook.close(r));
    }
  });

  it('requires the witness cosignatures asked for', async () => {
    const w = generateKeyPairSync('ed25519');
    const vkey = formatVerifierKey('witness.example', w.publicKey, NOTE_TYPE.cosignatureV1);
    const missing = await monitor('--witness', vkey);
    assert.equal(missing.status, EXIT.misbehaviour);
    assert.match(String(events(missing).find((e) => e.event === 'misbehaviour')?.message), /0 valid witness/);
    log.witness = cosignatureV1Signer('witness.example', w.privateKey);
    const cosigned = await monitor('--witness', vkey);
    assert.equal(cosigned.status, EXIT.clean, cosigned.stderr);
    assert.deepEqual(events(cosigned).find((e) => e.event === 'checkpoint')?.witnesses, ['witness.example']);
  });

  it('runs as a daemon without --once: retries a log down at its start, a pass every --interval until SIGTERM', async () => {
    // The log is down when the daemon starts: it reports that and asks again, rather than exit.
    const port = Number(new URL(log.url).port);
    await log.stop();
    const args = ['monitor', '--url', log.url, '--state-dir', dir, '--interval', '200ms', '--output', 'json'];
    const child = spawn(process.execPath, [signetBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const seen = (event: string) => events({ stdout: out, stderr: '' }).filter((e) => e.event === event);
    const until = async (done: () => boolean) => {
      while (!done()) {
        assert.equal(child.exitCode, null, `the daemon exited:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(() => seen('error').length >= 2);
    await log.start(port);
    // Up again: a pass reads it; then it grows, and a later pass reports the new size.
    await until(() => seen('checkpoint').length > 0);
    assert.equal(seen('checkpoint')[0]!.size, 5);
    for (let i = 5; i < 9; i++) log.leaves.push(hashedRekordBody(pem(), digest(`artifact ${i}`)));
    await until(() => seen('checkpoint').some((e) => e.size === 9));
    assert.equal(await stopProcess(child, 'signet monitor', 'SIGTERM', () => out), EXIT.clean);
  });

  it('refuses bad configuration with one line', async () => {
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ emails: ['a@b'] }));
    const r = await monitor('--config', join(dir, 'bad.json'));
    assert.equal(r.status, EXIT.error);
    assert.match(r.stderr, /^signet: error: .*unknown key "emails"/m);
    const url = await runSignetAsync(['monitor', '--url', 'ftp://x', '--once']);
    assert.equal(url.status, EXIT.error);
    assert.match(url.stderr, /--url must be an http\(s\) URL/);
  });
});
