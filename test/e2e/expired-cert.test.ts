// The certificate is checked at the log entry's integrated time, not now: a stack whose CA issues 3-second
// certificates (SIGNET_CA_CERT_LIFETIME_SECONDS, read only by the CA), a keyless detached signature and DSSE
// envelope, a real wait until the certificate has expired, then cosign's detached verify-blob and
// verify-blob-attestation, which find the entries in the log by hash (--rekor-url).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runSignetAsync, tempDir } from '../helpers/process.js';
import { startUp, type UpProcess } from '../helpers/up.js';

const EMAIL = 'expired@example.com';
let up: UpProcess;
let dir: string;

before(async () => {
  dir = tempDir('signet-expired-');
  writeFileSync(join(dir, 'blob.txt'), 'signed while the certificate was valid\n');
  up = await startUp(['--port', '0', '--data-dir', join(dir, 'data')], {
    env: { SIGNET_CA_CERT_LIFETIME_SECONDS: '3' },
  });
});
after(async () => {
  await up?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const signet = async (args: string[]) => {
  const r = await runSignetAsync(args, { cwd: dir, env: { SIGNET_LOG_LEVEL: 'warn' } });
  return { ...r, ok: r.status === 0 };
};

/** notAfter of a certificate file, PEM or base64 of the PEM (sign-blob's --output-certificate, as cosign's). */
function expiry(name: string): number {
  const text = readFileSync(join(dir, name), 'utf8');
  const pem = text.includes('-----BEGIN') ? text : Buffer.from(text.trim(), 'base64').toString('utf8');
  return Date.parse(new X509Certificate(pem).validTo);
}

test('verify-blob and verify-blob-attestation --signature --cert pass after the certificate expired', async () => {
  const token = await signet(['oidc', 'token', '--email', EMAIL, '--issuer', `${up.url}/oidc`]);
  assert.ok(token.ok, token.stderr);
  // The v1 log (--rekor-url) records an integrated time; the certificate must have been valid then.
  const keyless = ['--fulcio-url', up.url, '--rekor-url', up.url, '--identity-token', token.stdout.trim(), '-y'];
  const signed = await signet([
    'sign-blob',
    ...keyless,
    '--output-signature',
    'blob.sig',
    '--output-certificate',
    'blob.pem',
    'blob.txt',
  ]);
  assert.ok(signed.ok, signed.stderr);
  writeFileSync(join(dir, 'predicate.json'), JSON.stringify({ builder: 'local' }));
  const attested = await signet([
    'attest-blob',
    ...keyless,
    '--predicate',
    'predicate.json',
    '--type',
    'custom',
    '--output-signature',
    'blob.att.json',
    '--output-certificate',
    'att.pem',
    'blob.txt',
  ]);
  assert.ok(attested.ok, attested.stderr);

  const notAfter = expiry('blob.pem');
  const attNotAfter = expiry('att.pem');
  const wait = Math.max(notAfter, attNotAfter) + 1500 - Date.now();
  assert.ok(wait < 10_000, 'the CA honoured the short lifetime');
  await new Promise((r) => setTimeout(r, Math.max(wait, 0)));
  assert.ok(Date.now() > Math.max(notAfter, attNotAfter), 'both certificates have expired');

  const policy = [
    '--certificate-identity',
    EMAIL,
    '--certificate-oidc-issuer',
    `${up.url}/oidc`,
    '--trusted-root',
    `${up.url}/trusted_root.json`,
    '--rekor-url',
    up.url,
  ];
  const sig = readFileSync(join(dir, 'blob.sig'), 'utf8').trim();
  for (const signature of ['blob.sig', sig]) {
    const r = await signet(['verify-blob', ...policy, '--signature', signature, '--cert', 'blob.pem', 'blob.txt']);
    assert.ok(r.ok, r.stderr);
    assert.match(r.stderr, /Verified OK/);
  }
  const att = await signet([
    'verify-blob-attestation',
    ...policy,
    '--signature',
    'blob.att.json',
    '--cert',
    'att.pem',
    'blob.txt',
  ]);
  assert.ok(att.ok, att.stderr);
  assert.match(att.stderr, /Verified OK/);

  // Without the log entry there is no trusted time, and now the certificate is expired: refused, in one line.
  const offline = await signet([
    'verify-blob',
    ...policy,
    '--signature',
    sig,
    '--cert',
    'blob.pem',
    '--insecure-ignore-tlog',
    'blob.txt',
  ]);
  assert.equal(offline.status, 1, offline.stdout);
  assert.match(offline.stderr.split('\n')[0]!, /^signet: error: .*(expired|not valid|validity)/i);
  // The attestation's certificate does not vouch for the blob's signature.
  const wrong = await signet(['verify-blob', ...policy, '--signature', sig, '--cert', 'att.pem', 'blob.txt']);
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /^signet: error: /);
});
