import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runSignet, startSignet, tempDir } from '../helpers/process.js';
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
