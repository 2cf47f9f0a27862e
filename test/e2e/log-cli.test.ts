import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { leafHash, verifyConsistency } from '../../src/merkle/index.js';
import { requireProgram } from '../helpers/env.js';
import { fetchFresh, runSignet, startSignet, tempDir, type CliResult, type RunningStack } from '../helpers/process.js';

/**
 * rekor-cli's workflow against a real `signet up`: artifacts signed by openssl, ssh-keygen and gpg, uploaded,
 * fetched, verified and searched with `signet log`, plus tampered and malformed input.
 */
let stack: RunningStack;
let dir: string;
let home: string;

before(async () => {
  dir = tempDir('signet-log-cli-');
  home = join(dir, 'home');
  stack = await startSignet(['up']);
});

after(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
  if (stack) rmSync(stack.dataDir, { recursive: true, force: true });
});

function log(...args: string[]): CliResult {
  return runSignet(['log', ...args, '--rekor-url', stack.url], { env: { HOME: home } });
}

function ok(r: CliResult): string {
  assert.equal(r.status, 0, `exit ${r.status}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

/** A failure is one `signet: error:` line (and maybe a hint) and a non-zero exit. */
function failsWith(r: CliResult, message: RegExp): void {
  assert.notEqual(r.status, 0, `expected failure, got stdout: ${r.stdout}`);
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => !l.startsWith('signet: hint:') && !l.startsWith('signet: WARNING'));
  assert.equal(lines.length, 1, `one error line, got:\n${r.stderr}`);
  assert.match(lines[0]!, /^signet: error: /);
  assert.match(lines[0]!, message);
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

const CREATED = /^Created entry at index (\d+), available at: (\S+)\/api\/v1\/log\/entries\/([0-9a-f]{64,80})$/m;

test('hashedrekord with an openssl ECDSA key: upload, duplicate, get, verify, search, loginfo', (t) => {
  if (!requireProgram(t, 'openssl', 'version')) return;
  const artifact = file('artifact.txt', `hello from signet ${Date.now()}\n`);
  openssl('ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', 'ec.key');
  openssl('ec', '-in', 'ec.key', '-pubout', '-out', 'ec.pub');
  openssl('dgst', '-sha256', '-sign', 'ec.key', '-out', 'artifact.sig', 'artifact.txt');
  const flags = [
    '--pki-format=x509',
    '--artifact',
    artifact,
    '--signature',
    join(dir, 'artifact.sig'),
    '--public-key',
    join(dir, 'ec.pub'),
  ];

  const up = CREATED.exec(ok(log('upload', ...flags)));
  assert.ok(up, 'upload prints the index and URL');
  const [, index, base, uuid] = up;
  assert.equal(base, stack.url);
  assert.match(ok(log('upload', ...flags)), new RegExp(`^Entry already exists; available at: .*/${uuid}$`, 'm'));

  const byUuid = ok(log('get', '--uuid', uuid!));
  assert.match(byUuid, new RegExp(`^Index: ${index}$`, 'm'));
  assert.match(byUuid, new RegExp(`^UUID: ${uuid}$`, 'm'));
  const got = JSON.parse(ok(log('get', '--log-index', index!, '--format', 'json')));
  assert.equal(got.UUID, uuid);
  assert.equal(got.LogIndex, Number(index));
  const sha = createHash('sha256').update(readFileSync(artifact)).digest('hex');
  assert.equal(got.Body.HashedRekordObj.data.hash.value, sha, 'the body as rekor-cli prints it');
  assert.equal(got.Attestation, '');
  assert.equal(got.AttestationType, '');

  const tle = JSON.parse(ok(log('get', '--uuid', uuid!, '--format', 'tle')));
  assert.equal(tle.logIndex, index);
  assert.deepEqual(tle.kindVersion, { kind: 'hashedrekord', version: '0.0.1' });
  assert.ok(tle.inclusionPromise.signedEntryTimestamp && tle.inclusionProof.checkpoint.envelope);
  assert.match(ok(log('verify', '--uuid', uuid!)), new RegExp(`^Entry Hash: ${uuid}$`, 'm'));
  assert.match(ok(log('verify', '--log-index', index!)), /^Current Tree Size: \d+$/m);
  assert.match(ok(log('verify', ...flags)), new RegExp(`^Entry Index: ${index}$`, 'm'));

  assert.match(ok(log('search', '--artifact', artifact)), new RegExp(uuid!.slice(-64)));
  assert.match(ok(log('search', '--sha', sha)), new RegExp(uuid!.slice(-64)));
  assert.match(
    ok(log('search', '--sha', `sha256:${sha}`, '--public-key', join(dir, 'ec.pub'), '--operator', 'and')),
    new RegExp(uuid!.slice(-64)),
  );

  const info = ok(log('loginfo'));
  assert.match(info, /^Verification Successful!$/m);
  assert.match(info, /^Active Tree Size: +\d+$/m);
  assert.ok(readdirSync(join(home, '.signet', 'log-state')).length > 0, 'the tree head is saved under $HOME/.signet');
});

test('a pinned log key, the rekor_server alias and a consistency check over new entries', async (t) => {
  if (!requireProgram(t, 'openssl', 'version')) return;
  const pem = join(dir, 'rekor.pub');
  writeFileSync(pem, await (await fetchFresh(`${stack.url}/api/v1/log/publicKey`)).text());
  ok(log('loginfo', '--rekor-public-key', pem));
  const artifact = file('second.txt', `second ${Date.now()}\n`);
  openssl('ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', 'ec2.key');
  openssl('ec', '-in', 'ec2.key', '-pubout', '-out', 'ec2.pub');
  openssl('dgst', '-sha256', '-sign', 'ec2.key', '-out', 'second.sig', 'second.txt');
  const r = runSignet(
    [
      'log',
      'upload',
      '--rekor_server',
      stack.url,
      '--rekor-public-key',
      pem,
      '--pki-format',
      'x509',
      '--artifact',
      artifact,
      '--signature',
      join(dir, 'second.sig'),
      '--public-key',
      join(dir, 'ec2.pub'),
    ],
    { env: { HOME: home } },
  );
  assert.match(ok(r), CREATED);
  assert.match(ok(log('loginfo', '--rekor-public-key', pem)), /Verification Successful!/);

  const other = join(dir, 'other.pub');
  writeFileSync(other, readFileSync(join(dir, 'ec2.pub')));
  failsWith(log('loginfo', '--rekor-public-key', other), /checkpoint is not signed by the log's key/);
});

test('logproof prints the consistency proof the log serves, and it proves the older tree is a prefix', async () => {
  const info = (await (await fetchFresh(`${stack.url}/api/v1/log`)).json()) as { treeSize: number; rootHash: string };
  assert.ok(info.treeSize >= 2, 'the tests above logged entries');
  const size = info.treeSize;
  const json = JSON.parse(
    ok(log('logproof', '--first-size', '1', '--last-size', String(size), '--format', 'json')),
  ) as {
    rootHash: string;
    hashes: string[];
  };
  const served = await (await fetchFresh(`${stack.url}/api/v1/log/proof?firstSize=1&lastSize=${size}`)).json();
  assert.deepEqual(json, served);
  // Checked here from the first entry alone: the tree of size 1 is its leaf hash.
  const first = (await (await fetchFresh(`${stack.url}/api/v1/log/entries?logIndex=0`)).json()) as Record<
    string,
    { body: string }
  >;
  const root1 = leafHash(Buffer.from(Object.values(first)[0]!.body, 'base64'));
  const hashes = json.hashes.map((h) => Buffer.from(h, 'hex'));
  assert.ok(verifyConsistency(1, size, hashes, root1, Buffer.from(json.rootHash, 'hex')));
  assert.match(
    ok(log('logproof', '--last-size', String(size))),
    new RegExp(`^Current Root Hash: ${json.rootHash}$`, 'm'),
  );
  failsWith(log('logproof', '--first-size', '3', '--last-size', '2'), /--first-size must be at least 1 and at most/);
  const missing = log('logproof');
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /--last-size/);
});

test('--rekor-server (the dash spelling) names the log like --rekor_server and --rekor-url', () => {
  const at = (url: string) => runSignet(['log', 'loginfo', '--rekor-server', url], { env: { HOME: home } });
  assert.match(ok(at(stack.url)), /Verification Successful!/);
  // It is honoured, not ignored for the default: a port nothing listens on fails.
  const r = at('http://127.0.0.1:9');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /^signet: error: /);
});

test('loginfo warns loudly and fails when the log is inconsistent with what it saw', () => {
  ok(log('loginfo'));
  const stateDir = join(home, '.signet', 'log-state');
  const path = join(stateDir, readdirSync(stateDir)[0]!);
  const state = JSON.parse(readFileSync(path, 'utf8'));
  writeFileSync(path, JSON.stringify({ ...state, rootHash: 'ab'.repeat(32) }));
  const r = log('loginfo');
  failsWith(r, /(different roots|not consistent)/);
  assert.match(r.stderr, /WARNING/);
  writeFileSync(path, JSON.stringify({ ...state, treeSize: state.treeSize + 1000 }));
  failsWith(log('loginfo'), /shrank/);
  rmSync(path);
  ok(log('loginfo'));
});

test('a wrong signature is rejected with a one-line error', (t) => {
  if (!requireProgram(t, 'openssl', 'version')) return;
  file('tampered.txt', 'not what was signed\n');
  openssl('ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', 'ec3.key');
  openssl('ec', '-in', 'ec3.key', '-pubout', '-out', 'ec3.pub');
  openssl('dgst', '-sha256', '-sign', 'ec3.key', '-out', 'tampered.sig', 'artifact.txt');
  const flags = [
    '--pki-format',
    'x509',
    '--artifact',
    join(dir, 'tampered.txt'),
    '--signature',
    join(dir, 'tampered.sig'),
    '--public-key',
    join(dir, 'ec3.pub'),
  ];
  failsWith(log('upload', ...flags), /rekor rejected the entry \(400\)/);
  failsWith(log('upload', ...flags, '--type', 'rekord'), /rekor rejected the entry \(400\)/);
  failsWith(log('verify', ...flags), /no matching entry|retrieving entries \(400\): verifying signature/);
});

test('rekord with an ssh-keygen signature', (t) => {
  if (!requireProgram(t, 'ssh-keygen', '-?')) return;
  const artifact = file('ssh-artifact.txt', `signed with ssh ${Date.now()}\n`);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'signet-test', '-f', join(dir, 'id_ed25519')]);
  execFileSync('ssh-keygen', ['-Y', 'sign', '-n', 'file', '-f', join(dir, 'id_ed25519'), artifact], { stdio: 'pipe' });
  const flags = [
    '--pki-format',
    'ssh',
    '--artifact',
    artifact,
    '--signature',
    `${artifact}.sig`,
    '--public-key',
    join(dir, 'id_ed25519.pub'),
  ];
  const up = CREATED.exec(ok(log('upload', ...flags)));
  assert.ok(up);
  const got = JSON.parse(ok(log('get', '--uuid', up[3]!, '--format', 'json')));
  assert.equal(got.Body.RekordObj.signature.format, 'ssh');
  ok(log('verify', ...flags));
  assert.match(
    ok(log('search', '--public-key', join(dir, 'id_ed25519.pub'), '--pki-format', 'ssh')),
    new RegExp(up[3]!.slice(-64)),
  );
  file('ssh-other.txt', 'something else\n');
  failsWith(
    log('upload', ...flags.slice(0, 2), '--artifact', join(dir, 'ssh-other.txt'), ...flags.slice(4)),
    /rekor rejected the entry/,
  );
});

test('rekord with a gpg detached signature, found by email', (t) => {
  if (!requireProgram(t, 'gpg', '--version')) return;
  const gnupg = tempDir('signet-gnupg-');
  t.after(() => rmSync(gnupg, { recursive: true, force: true }));
  const env = { ...process.env, GNUPGHOME: gnupg };
  const gpg = (...args: string[]) =>
    execFileSync('gpg', ['--batch', '--yes', '--pinentry-mode', 'loopback', '--passphrase', '', ...args], {
      env,
      stdio: 'pipe',
    });
  const email = `signet-${Date.now()}@example.com`;
  gpg('--quick-gen-key', `Signet Test <${email}>`, 'ed25519', 'sign', 'never');
  writeFileSync(join(dir, 'gpg.pub'), gpg('--armor', '--export', email));
  const artifact = file('gpg-artifact.txt', `signed with gpg ${Date.now()}\n`);
  gpg('--armor', '--detach-sign', '-u', email, '-o', join(dir, 'gpg-artifact.asc'), artifact);
  const flags = [
    '--pki-format',
    'pgp',
    '--artifact',
    artifact,
    '--signature',
    join(dir, 'gpg-artifact.asc'),
    '--public-key',
    join(dir, 'gpg.pub'),
  ];
  const up = CREATED.exec(ok(log('upload', ...flags)));
  assert.ok(up);
  ok(log('verify', '--uuid', up[3]!));
  assert.match(ok(log('search', '--email', email)), new RegExp(up[3]!.slice(-64)));
});

test('dsse and intoto envelopes signed with openssl', async (t) => {
  if (!requireProgram(t, 'openssl', 'version')) return;
  openssl('ecparam', '-genkey', '-name', 'prime256v1', '-noout', '-out', 'dsse.key');
  openssl('ec', '-in', 'dsse.key', '-pubout', '-out', 'dsse.pub');
  const statement = JSON.stringify({
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'a.txt', digest: { sha256: createHash('sha256').update(String(Date.now())).digest('hex') } }],
    predicateType: 'https://example.com/test/v1',
    predicate: {},
  });
  const type = 'application/vnd.in-toto+json';
  const pae = `DSSEv1 ${type.length} ${type} ${Buffer.byteLength(statement)} ${statement}`;
  file('pae.bin', pae);
  openssl('dgst', '-sha256', '-sign', 'dsse.key', '-out', 'pae.sig', 'pae.bin');
  const envelope = file(
    'envelope.json',
    JSON.stringify({
      payloadType: type,
      payload: Buffer.from(statement).toString('base64'),
      signatures: [{ keyid: '', sig: readFileSync(join(dir, 'pae.sig')).toString('base64') }],
    }),
  );
  for (const kind of ['dsse', 'intoto']) {
    const up = CREATED.exec(
      ok(log('upload', '--type', kind, '--artifact', envelope, '--public-key', join(dir, 'dsse.pub'))),
    );
    assert.ok(up, kind);
    const got = JSON.parse(ok(log('get', '--uuid', up[3]!, '--format', 'json')));
    assert.ok(got.Body[kind === 'dsse' ? 'DSSEObj' : 'IntotoObj'], kind);
    if (kind === 'intoto') assert.equal(JSON.parse(got.Attestation).predicateType, 'https://example.com/test/v1');
    // The body as stored (no envelope to verify) finds the entry, as in Rekor.
    const stored = (await (await fetchFresh(`${stack.url}/api/v1/log/entries/${up[3]}`)).json()) as Record<
      string,
      { body: string }
    >;
    const body = JSON.parse(Buffer.from(stored[up[3]!]!.body, 'base64').toString());
    const found = await fetchFresh(`${stack.url}/api/v1/log/entries/retrieve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ entries: [body] }),
    });
    assert.equal(found.status, 200, `${kind}: ${await found.clone().text()}`);
    assert.deepEqual(Object.keys(((await found.json()) as object[])[0]!), [up[3]]);
  }
});

test('bad input: one line, non-zero exit, before any request', () => {
  const key = file('garbage.pub', 'not a key');
  const art = file('bad-input.txt', 'x');
  failsWith(
    log('upload', '--artifact', join(dir, 'missing.txt'), '--signature', art, '--public-key', key),
    /--artifact .*missing\.txt: no such file/,
  );
  failsWith(
    log('upload', '--pki-format', 'x509', '--artifact', art, '--signature', art, '--public-key', key),
    /not an x509/,
  );
  failsWith(log('upload', '--artifact', art, '--public-key', key), /--signature is required/);
  failsWith(log('upload', '--entry', art), /not JSON/);
  failsWith(
    log('upload', '--artifact', art, '--signature', art, '--public-key', key, '--type', 'helm'),
    /unknown entry type/,
  );
  failsWith(log('get'), /give --uuid or --log-index/);
  failsWith(log('get', '--log-index', 'abc'), /--log-index: not a non-negative integer/);
  failsWith(log('get', '--uuid', 'xyz'), /64 or 80 hex/);
  failsWith(log('get', '--log-index', '99999999'), /\(404\)/);
  failsWith(log('get', '--uuid', 'ab'.repeat(32)), /\(404\)/);
  failsWith(log('search', '--sha', 'nothex'), /--sha/);
  failsWith(log('search'), /give at least one/);
  failsWith(log('loginfo', '--timeout', 'soon'), /--timeout/);
  const bad = runSignet(['log', 'upload', '--pki-format', 'nope']);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /nope/);
  const down = runSignet(['log', 'loginfo', '--rekor-url', 'http://127.0.0.1:1'], { env: { HOME: home } });
  failsWith(down, /cannot reach/);
});
