import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emailKey, indexKeysForPublicKey, normalizeHashQuery, subjectKey } from '../../../src/log/types/index.js';
import { fixture, rejects } from './tools.js';

test("hash queries get Rekor's prefix by length and are lower-cased", () => {
  const cases: [string, string][] = [
    ['AB'.repeat(32), `sha256:${'ab'.repeat(32)}`],
    [`sha256:${'CD'.repeat(32)}`, `sha256:${'cd'.repeat(32)}`],
    ['ab'.repeat(20), `sha1:${'ab'.repeat(20)}`],
    ['ab'.repeat(48), `sha384:${'ab'.repeat(48)}`],
    ['ab'.repeat(64), `sha512:${'ab'.repeat(64)}`],
    [`SHA512:${'ab'.repeat(64)}`.replace('SHA512', 'sha512'), `sha512:${'ab'.repeat(64)}`],
  ];
  for (const [input, want] of cases) assert.equal(normalizeHashQuery(input), want);
  for (const bad of ['', 'xyz', 'ab'.repeat(31), `sha1:${'ab'.repeat(32)}`, `md5:${'ab'.repeat(16)}`]) {
    assert.throws(() => normalizeHashQuery(bad), /hash: must be hex/);
  }
});

test('email and subject keys are lower-cased', () => {
  assert.equal(emailKey('Alice@Example.COM'), 'alice@example.com');
  assert.equal(subjectKey('https://GitHub.com/A'), 'https://github.com/a');
});

test('publicKey queries hash the canonical key of each format; bad keys and tuf are refused', async () => {
  const [x509] = indexKeysForPublicKey('x509', fixture('x509', 'ec.pub'));
  assert.match(x509!, /^[0-9a-f]{64}$/);
  assert.deepEqual(
    indexKeysForPublicKey('pgp', fixture('pgp', 'valid_armored_public.pgp')),
    indexKeysForPublicKey('pgp', fixture('pgp', 'valid_binary_public.pgp')),
  );
  assert.deepEqual(
    indexKeysForPublicKey('minisign', fixture('minisign', 'minisign.pub')),
    indexKeysForPublicKey('minisign', fixture('minisign', 'minisign_key_only.pub')),
  );
  assert.equal(indexKeysForPublicKey('ssh', fixture('ssh', 'id_rsa.pub')).length, 1);
  await rejects(
    Promise.resolve().then(() => indexKeysForPublicKey('x509', Buffer.from('junk'))),
    'invalid-input',
  );
  await rejects(
    Promise.resolve().then(() => indexKeysForPublicKey('pgp', Buffer.from('junk'))),
    'invalid-input',
  );
  await rejects(
    Promise.resolve().then(() => indexKeysForPublicKey('tuf', Buffer.from('{}'))),
    'unsupported',
  );
  await rejects(
    Promise.resolve().then(() => indexKeysForPublicKey('cose' as 'x509', Buffer.from('{}'))),
    'invalid-input',
  );
});
