// `signet env` prints what `cosign env` prints: each variable signet reads with its description and value
// (sensitive values masked unless --show-sensitive-values), then other COSIGN_/SIGSTORE_/TUF_/SIGNET_ variables.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runSignetAsync } from '../helpers/process.js';

test('signet env: values, descriptions, masking, unregistered variables', async () => {
  const env = {
    COSIGN_PASSWORD: 'hunter2',
    SIGNET_REKOR_URL: 'http://127.0.0.1:3000',
    TUF_ROOT: '/tmp/tuf',
    COSIGN_SOMETHING_NEW: 'x',
    SIGSTORE_ID_TOKEN: '',
    SIGNET_DATABASE_URL: 'postgres://signet:s3cret@db.example/signet',
  };
  const r = await runSignetAsync(['env'], { env });
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.ok(lines.includes('# COSIGN_PASSWORD overrides password inputs with this value'));
  assert.ok(lines.includes('# Expects: string with a password (asks on stdin by default)'));
  assert.ok(lines.includes('COSIGN_PASSWORD=******'), 'sensitive values are masked');
  assert.ok(lines.includes('SIGSTORE_ID_TOKEN='), 'a sensitive variable set but empty prints empty');
  assert.ok(lines.includes('SIGNET_REKOR_URL=http://127.0.0.1:3000'));
  assert.ok(lines.includes('SIGNET_DATABASE_URL=******'), 'a database URL may hold a password: masked');
  assert.ok(lines.includes('TUF_ROOT=/tmp/tuf'));
  assert.ok(lines.includes('SIGSTORE_ROOT_FILE=') || !('SIGSTORE_ROOT_FILE' in process.env));
  const names = lines.filter((l) => /^[A-Z]/.test(l)).map((l) => l.split('=')[0]!);
  const registered = names.slice(0, names.indexOf('COSIGN_SOMETHING_NEW'));
  assert.deepEqual(registered, [...registered].sort(), 'registered variables in name order');
  assert.match(
    r.stdout,
    /# Environment variables below are not registered with signet,\n.*\nCOSIGN_SOMETHING_NEW=\*\*\*\*\*\*\n/,
  );

  const plain = await runSignetAsync(['env', '--show-descriptions=false', '--show-sensitive-values'], { env });
  assert.equal(plain.status, 0, plain.stderr);
  assert.ok(!plain.stdout.includes('#'), 'no descriptions');
  assert.match(plain.stdout, /^COSIGN_PASSWORD=hunter2$/m);
  assert.match(plain.stdout, /^COSIGN_SOMETHING_NEW=x$/m);

  const bad = await runSignetAsync(['env', 'extra']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /^signet: error: too many arguments/);
});
