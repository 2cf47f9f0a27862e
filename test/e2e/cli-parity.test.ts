import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signetBin } from '../helpers/env.js';
import { runSignet, tempDir, type CliResult } from '../helpers/process.js';

/** cosign/rekor-cli habits that need no server: pflag booleans, version, pki-format hints, closed pipes. */
const dir = tempDir('signet-parity-');
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { COSIGN_PASSWORD: 'pw' };
const signet = (...args: string[]) => runSignet(args, { env, cwd: dir });
const file = (name: string) => join(dir, name);

function ok(r: CliResult): string {
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

function oneLineError(r: CliResult, why: RegExp): void {
  assert.notEqual(r.status, 0, r.stdout);
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[0]!, /^signet: error: /);
  assert.match(lines[0]!, why);
  assert.ok(
    lines.slice(1).every((l) => l.startsWith('signet: hint: ')),
    r.stderr,
  );
}

test('version and log version print what cosign version / rekor-cli version print', () => {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  for (const cmd of [['version'], ['log', 'version']]) {
    const text = ok(signet(...cmd));
    assert.match(text, new RegExp(`^GitVersion: +v${pkg.version.replace(/\./g, '\\.')}$`, 'm'));
    assert.match(text, /^GitCommit: +([0-9a-f]{40}|unknown)$/m);
    assert.match(text, /^BuildDate: +(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ|unknown)$/m);
    assert.match(text, new RegExp(`^NodeVersion: +${process.version}$`, 'm'));
    const json = JSON.parse(ok(signet(...cmd, '--json')));
    assert.deepEqual(Object.keys(json), [
      'gitVersion',
      'gitCommit',
      'gitTreeState',
      'buildDate',
      'nodeVersion',
      'platform',
    ]);
    assert.equal(json.gitVersion, `v${pkg.version}`);
    assert.deepEqual(JSON.parse(ok(signet(...cmd, '--json=true'))).gitVersion, json.gitVersion);
    assert.match(ok(signet(...cmd, '--json=false')), /^GitVersion:/m);
  }
});

test('boolean flags take --flag, --flag=true and --flag=false, and nothing else', () => {
  ok(signet('generate-key-pair'));
  writeFileSync(file('a.txt'), 'artifact\n');
  const sign = (...flags: string[]) =>
    ok(signet('sign-blob', '--key', 'cosign.key', '--bundle', 'a.json', ...flags, 'a.txt'));
  sign('--tlog-upload=false');
  let bundle = JSON.parse(readFileSync(file('a.json'), 'utf8'));
  assert.equal(bundle.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  assert.deepEqual(bundle.verificationMaterial.tlogEntries, []);
  sign('--tlog-upload=false', '--new-bundle-format=false');
  bundle = JSON.parse(readFileSync(file('a.json'), 'utf8'));
  assert.ok(bundle.base64Signature, 'the old cosign bundle');
  assert.equal(bundle.rekorBundle, undefined);
  // verify-blob's --insecure-ignore-tlog in all three spellings; =false leaves the log required.
  const verify = (...flags: string[]) =>
    signet('verify-blob', '--key', 'cosign.pub', '--bundle', 'a.json', ...flags, 'a.txt');
  for (const f of ['--insecure-ignore-tlog', '--insecure-ignore-tlog=true', '--insecure-ignore-tlog=1']) {
    assert.equal(verify(f).stderr, 'Verified OK\n');
  }
  oneLineError(verify('--insecure-ignore-tlog=false'), /transparency log/);
  oneLineError(verify('--insecure-ignore-tlog=maybe'), /--insecure-ignore-tlog takes true or false, got "maybe"/);
  // A boolean never eats the next word (pflag): `--offline a.txt` leaves a.txt the artifact.
  oneLineError(
    signet('verify-blob', '--key', 'cosign.pub', '--bundle', 'a.json', '--insecure-ignore-tlog', 'a.txt', 'b.txt'),
    /too many arguments|unexpected/i,
  );
});

test('log upload defaults to --pki-format pgp and names the format a mismatched file looks like', () => {
  ok(signet('generate-key-pair', '--output-key-prefix', 'up'));
  writeFileSync(file('u.txt'), 'u\n');
  ok(signet('sign-blob', '--key', 'up.key', '--tlog-upload=false', '--bundle', 'u.json', 'u.txt'));
  const sig = JSON.parse(readFileSync(file('u.json'), 'utf8')).messageSignature.signature;
  writeFileSync(file('u.sig'), sig);
  const upload = (...flags: string[]) =>
    signet('log', 'upload', '--rekor-url', 'http://127.0.0.1:1', '--artifact', 'u.txt', ...flags);
  const r = upload('--signature', 'u.sig', '--public-key', 'up.pub');
  oneLineError(r, /the public key looks like x509, not pgp \(--pki-format\)/);
  assert.match(r.stderr, /signet: hint: pass --pki-format x509/);
  writeFileSync(file('fake.asc'), '-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n');
  oneLineError(
    upload('--pki-format=x509', '--signature', 'fake.asc', '--public-key', 'up.pub'),
    /the signature looks like pgp, not x509/,
  );
  writeFileSync(file('id.pub'), 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOv0 test\n');
  oneLineError(upload('--signature', 'u.sig', '--public-key', 'id.pub'), /looks like ssh, not pgp/);
  // The right format gets as far as the (absent) log.
  oneLineError(upload('--pki-format', 'x509', '--signature', 'u.sig', '--public-key', 'up.pub'), /cannot reach/);
});

test('a closed pipe ends the output quietly (signet --help | head -1)', async () => {
  for (const args of [['--help'], ['verify', '--help'], ['version']]) {
    const child = spawn(process.execPath, [signetBin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader went away before the first write
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(stderr, '', `no stack trace for ${args.join(' ')}`);
    assert.equal(code, 0);
  }
});
