import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decryptCosignKey } from '../../src/crypto/index.js';
import { fixturesDir } from '../helpers/env.js';
import { runSignet, tempDir } from '../helpers/process.js';

// The password comes from these variables first; the tests choose them per command.
delete process.env.COSIGN_PASSWORD;
delete process.env.SIGNET_PASSWORD;
const dir = tempDir('signet-keys-');
after(() => rmSync(dir, { recursive: true, force: true }));
const mode = (p: string) => statSync(p).mode & 0o777;

test('generate-key-pair: cosign.key 0600 with COSIGN_PASSWORD, cosign.pub 0644, refuses to overwrite without -f', async () => {
  const cwd = join(dir, 'gen');
  require0(runSignet(['generate-key-pair'], { cwd: mk(cwd), env: { COSIGN_PASSWORD: 'pw1' } }));
  const keyFile = join(cwd, 'cosign.key');
  assert.equal(mode(keyFile), 0o600);
  assert.equal(mode(join(cwd, 'cosign.pub')), 0o644);
  const pem = readFileSync(keyFile, 'utf8');
  assert.ok(pem.startsWith('-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----'));
  const key = await decryptCosignKey(pem, 'pw1');
  assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  const pub = createPublicKey(readFileSync(join(cwd, 'cosign.pub')));
  const sig = sign('sha256', Buffer.from('m'), key);
  assert.ok(verify('sha256', Buffer.from('m'), pub, sig));

  const again = runSignet(['generate-key-pair'], { cwd, env: { COSIGN_PASSWORD: 'pw2' } });
  assert.equal(again.status, 1);
  assert.match(again.stderr, /^signet: error: cosign\.key already exists$/m);
  assert.equal(readFileSync(keyFile, 'utf8'), pem);

  require0(runSignet(['generate-key-pair', '-f'], { cwd, env: { COSIGN_PASSWORD: 'pw2' } }));
  assert.notEqual(readFileSync(keyFile, 'utf8'), pem);
  assert.equal(mode(keyFile), 0o600);
  await decryptCosignKey(readFileSync(keyFile, 'utf8'), 'pw2');
});

test('generate-key-pair: --output-key-prefix, SIGNET_PASSWORD, and a piped password (cosign reads all of stdin)', async () => {
  const cwd = mk(join(dir, 'prefix'));
  const env = { SIGNET_PASSWORD: 'signet-pw' };
  require0(runSignet(['generate-key-pair', '--output-key-prefix', 'release'], { cwd, env }));
  await decryptCosignKey(readFileSync(join(cwd, 'release.key'), 'utf8'), 'signet-pw');
  require0(runSignet(['generate-key-pair', '--output-key-prefix', 'piped'], { cwd, input: 'from-stdin\n' }));
  await decryptCosignKey(readFileSync(join(cwd, 'piped.key'), 'utf8'), 'from-stdin\n');
});

test('import-key-pair: PKCS#1, SEC1 and PKCS#8 PEMs become import-cosign.key/.pub; weak keys are refused', async () => {
  const cwd = mk(join(dir, 'import'));
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const ed = generateKeyPairSync('ed25519').privateKey;
  const inputs: Array<[string, string, ReturnType<typeof createPrivateKey>]> = [
    ['rsa1.pem', rsa.export({ type: 'pkcs1', format: 'pem' }).toString(), rsa],
    ['sec1.pem', ec.export({ type: 'sec1', format: 'pem' }).toString(), ec],
    ['p8.pem', ed.export({ type: 'pkcs8', format: 'pem' }).toString(), ed],
  ];
  for (const [name, pem, original] of inputs) {
    writeFileSync(join(cwd, name), pem);
    require0(runSignet(['import-key-pair', '--key', name, '-f'], { cwd, env: { COSIGN_PASSWORD: 'imp' } }));
    const back = await decryptCosignKey(readFileSync(join(cwd, 'import-cosign.key'), 'utf8'), 'imp');
    assert.ok(back.export({ type: 'pkcs8', format: 'der' }).equals(original.export({ type: 'pkcs8', format: 'der' })));
    assert.equal(mode(join(cwd, 'import-cosign.key')), 0o600);
    assert.equal(
      readFileSync(join(cwd, 'import-cosign.pub'), 'utf8'),
      createPublicKey(original).export({ type: 'spki', format: 'pem' }),
    );
  }
  const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem' });
  writeFileSync(join(cwd, 'small.pem'), small);
  const r = runSignet(['import-key-pair', '--key', 'small.pem', '-o', 'weak'], { cwd, env: { COSIGN_PASSWORD: 'x' } });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^signet: error: small\.pem: RSA keys must be 2048 to 4096 bits, got 1024$/m);
  const missing = runSignet(['import-key-pair', '--key', 'nope.pem'], { cwd, env: { COSIGN_PASSWORD: 'x' } });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^signet: error: cannot read nope\.pem: ENOENT$/m);
});

test("public-key: prints or writes the PEM of cosign's own key (password hello); a wrong password is one line", () => {
  const keyFile = join(fixturesDir, 'cosign-keys', 'pemsigstorekey.key');
  const r = runSignet(['public-key', '--key', keyFile], { env: { COSIGN_PASSWORD: 'hello' } });
  require0(r);
  assert.match(r.stdout, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n$/);
  const out = join(dir, 'vector.pub');
  require0(runSignet(['public-key', '--key', keyFile, '--outfile', out], { env: { COSIGN_PASSWORD: 'hello' } }));
  assert.equal(readFileSync(out, 'utf8'), r.stdout);
  const bad = runSignet(['public-key', '--key', keyFile], { env: { COSIGN_PASSWORD: 'nope' } });
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr.split('\n')[0], `signet: error: wrong password for ${keyFile}`);
  assert.ok(!bad.stderr.includes('nope'));
});

function mk(p: string): string {
  mkdirSync(p, { recursive: true });
  return p;
}

function require0(r: { status: number | null; stderr: string }) {
  assert.equal(r.status, 0, r.stderr);
}
