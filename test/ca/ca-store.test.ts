import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isSignetError } from '../../src/errors.js';
import { CA_FILES, ensureCa, generatedPassword, initCa, loadCa, loadChainAndKey } from '../../src/ca/index.js';
import { parseAddChainResponse } from '../../src/ca/ct-client.js';
import { tempDir } from '../helpers/process.js';

test('ca init writes a P-384 chain with 0600 encrypted keys, and loads back', () => {
  const dir = tempDir();
  const made = initCa(dir, 'correct horse');
  for (const f of [CA_FILES.rootKey, CA_FILES.intermediateKey]) {
    assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
    assert.match(readFileSync(join(dir, f), 'utf8'), /-----BEGIN ENCRYPTED PRIVATE KEY-----/);
  }
  const loaded = loadCa(dir, 'correct horse');
  assert.equal(loaded.chain[0]!.fingerprint256, made.chain[0]!.fingerprint256);
  assert.throws(() => loadCa(dir, 'wrong password'), /wrong password/);
  assert.throws(
    () => initCa(dir, 'correct horse'),
    (e) => isSignetError(e, 'conflict'),
  );
  assert.throws(() => initCa(tempDir(), 'short'), /at least 8/);
});

test('signet up path: a generated password kept 0600 and reused', () => {
  const dir = tempDir();
  const p1 = generatedPassword(dir);
  assert.equal(generatedPassword(dir), p1);
  assert.equal(statSync(join(dir, CA_FILES.generatedPassword)).mode & 0o777, 0o600);
  const a = ensureCa(dir, p1);
  const b = ensureCa(dir, p1);
  assert.equal(a.chain[1]!.fingerprint256, b.chain[1]!.fingerprint256);
});

test('an operator chain + key is checked like Fulcio checks it at startup', () => {
  const dir = tempDir();
  const made = initCa(dir, 'correct horse');
  const chainPem = made.chain.map((c) => c.toString()).join('');
  const keyPem = readFileSync(join(dir, CA_FILES.intermediateKey), 'utf8');
  assert.ok(loadChainAndKey(chainPem, keyPem, 'correct horse'));
  const other = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey.export({
    format: 'pem',
    type: 'pkcs8',
  }) as string;
  assert.throws(() => loadChainAndKey(chainPem, other), /does not match/);
  assert.throws(() => loadChainAndKey('', keyPem, 'correct horse'), /holds no PEM CERTIFICATE/);
  const reversed = [...made.chain].reverse();
  const rootKey = readFileSync(join(dir, CA_FILES.rootKey), 'utf8');
  assert.throws(
    () => loadChainAndKey(reversed.map((c) => c.toString()).join(''), rootKey, 'correct horse'),
    /codeSigning extended key usage/,
  );
  assert.ok(new X509Certificate(made.chain[1]!.raw).ca);
});

test('a remote CT log answer is parsed into an SCT and malformed ones are refused', () => {
  const ok = {
    sct_version: 0,
    id: Buffer.alloc(32, 1).toString('base64'),
    timestamp: 1700000000000,
    extensions: '',
    signature: Buffer.from('04030004deadbeef', 'hex').toString('base64'),
  };
  const sct = parseAddChainResponse(ok);
  assert.equal(sct.signature.signatureAlgorithm, 3);
  assert.deepEqual(sct.signature.signature, Buffer.from('deadbeef', 'hex'));
  assert.throws(() => parseAddChainResponse({ ...ok, id: 'AA==' }), /malformed SCT/);
  assert.throws(() => parseAddChainResponse({ ...ok, sct_version: 1 }), /version/);
});
