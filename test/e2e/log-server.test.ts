import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runSignet, runSignetAsync, startSignet, tempDir } from '../helpers/process.js';
import { hashedRekordSigner } from '../log/server/fixtures.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('signet log serve', () => {
  it('serves the Rekor v1 API from its data dir with the chosen key type and body limit', async () => {
    const dataDir = tempDir('signet-logserve-');
    dirs.push(dataDir);
    const stack = await startSignet(['log', 'serve', '--log-key-type', 'ed25519', '--max-body-bytes', '4096'], {
      dataDir,
    });
    try {
      assert.match(stack.output(), /listening on http:\/\/127\.0\.0\.1:/);
      const pem = await (await fetch(`${stack.url}/api/v1/log/publicKey`)).text();
      assert.equal(createPublicKey(pem).asymmetricKeyType, 'ed25519');
      assert.ok(existsSync(join(dataDir, 'log-signing-key.pem')));
      assert.ok(existsSync(join(dataDir, 'log.db')));
      const post = (body: string) =>
        fetch(`${stack.url}/api/v1/log/entries`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      assert.equal((await post(JSON.stringify(hashedRekordSigner().entry()))).status, 201);
      const big = await post(JSON.stringify({ pad: 'x'.repeat(8192) }));
      assert.equal(big.status, 413);
      assert.equal(((await big.json()) as { code: number }).code, 413);
      assert.equal((await fetch(`${stack.url}/healthz`)).status, 200);
      assert.equal((await fetch(`${stack.url}/readyz`)).status, 200);
    } finally {
      assert.equal(await stack.stop('SIGINT'), 0);
    }
  });

  it('publishes its own key in /trusted_root.json, so a key-signed blob verifies against the log alone', async () => {
    const dataDir = tempDir('signet-logserve-trust-');
    const work = tempDir('signet-logserve-work-');
    dirs.push(dataDir, work);
    const stack = await startSignet(['log', 'serve'], { dataDir });
    const env = { COSIGN_PASSWORD: 'pw', SIGNET_LOG_LEVEL: 'warn' };
    const signet = (args: string[]) => runSignetAsync(args, { env, cwd: work });
    try {
      const root = (await (await fetch(`${stack.url}/trusted_root.json`)).json()) as {
        tlogs: Array<{ baseUrl: string; publicKey: { rawBytes: string } }>;
        certificateAuthorities: unknown[];
      };
      const served = await (await fetch(`${stack.url}/api/v1/log/publicKey`)).text();
      assert.equal(root.tlogs.length, 1);
      assert.equal(root.tlogs[0]!.baseUrl, stack.url);
      const spki = createPublicKey(served).export({ type: 'spki', format: 'der' }).toString('base64');
      assert.equal(root.tlogs[0]!.publicKey.rawBytes, spki);
      assert.deepEqual(root.certificateAuthorities, []);

      writeFileSync(join(work, 'blob.txt'), 'run your own Rekor\n');
      const gen = await signet(['generate-key-pair', '--output-key-prefix', 'lab']);
      assert.equal(gen.status, 0, gen.stderr);
      const sign = await signet([
        'sign-blob',
        '--key',
        'lab.key',
        '--rekor-url',
        stack.url,
        '--bundle',
        'b.json',
        'blob.txt',
      ]);
      assert.equal(sign.status, 0, sign.stderr);
      const trust = ['--trusted-root', `${stack.url}/trusted_root.json`];
      const good = await signet(['verify-blob', '--key', 'lab.pub', '--bundle', 'b.json', ...trust, 'blob.txt']);
      assert.equal(good.status, 0, good.stderr);
      assert.match(good.stderr, /Verified OK/);
      // The same bundle against another log's root fails: the trust really comes from this log's key.
      const otherDir = tempDir('signet-logserve-other-');
      dirs.push(otherDir);
      const other = await startSignet(['log', 'serve'], { dataDir: otherDir });
      try {
        const bad = await signet([
          'verify-blob',
          '--key',
          'lab.pub',
          '--bundle',
          'b.json',
          '--trusted-root',
          `${other.url}/trusted_root.json`,
          'blob.txt',
        ]);
        assert.notEqual(bad.status, 0);
        assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
      } finally {
        await other.stop();
      }
    } finally {
      assert.equal(await stack.stop('SIGINT'), 0);
    }
  });

  it('refuses bad flags before starting', () => {
    const port = runSignet(['log', 'serve', '--port', 'abc']);
    assert.notEqual(port.status, 0);
    assert.match(port.stderr, /port/);
    const key = runSignet(['log', 'serve', '--log-key-type', 'rsa']);
    assert.notEqual(key.status, 0);
    assert.match(key.stderr, /ecdsa-p256/);
    const up = runSignet(['up', '--max-body-bytes', '-5']);
    assert.notEqual(up.status, 0);
  });
});
