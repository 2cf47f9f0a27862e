import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ed25519ph } from '@noble/curves/ed25519.js';
import { admitEntry } from '../../../src/log/types/index.js';
import { canonicalBody } from '../../../src/log/types/admitted-entry.js';
import { hashedRekordBody } from '../../../src/log/types/hashedrekord.js';
import { requireProgram } from '../../helpers/env.js';
import { b64, fixture, rejects, run } from './tools.js';

const sha = (alg: string, data: Buffer | string) => createHash(alg).update(data).digest('hex');
const keyHash = (pem: Buffer | string) => sha('sha256', createPublicKey(pem).export({ type: 'spki', format: 'pem' }));

function entry(pem: Buffer | string, sig: Buffer, algorithm: string, value: string) {
  return {
    kind: 'hashedrekord',
    apiVersion: '0.0.1',
    spec: { data: { hash: { algorithm, value } }, signature: { content: b64(sig), publicKey: { content: b64(pem) } } },
  };
}

test('openssl-made signatures over each allowed key type and digest are admitted', async (t) => {
  if (!requireProgram(t, 'openssl', 'version')) return;
  const dir = mkdtempSync(join(tmpdir(), 'signet-hr-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const artifact = join(dir, 'artifact');
  writeFileSync(artifact, 'hashedrekord artifact\n');
  const cases = [
    { name: 'ecdsa P-256', gen: ['ecparam', '-name', 'prime256v1', '-genkey', '-noout'], alg: 'sha256' },
    { name: 'ecdsa P-384', gen: ['ecparam', '-name', 'secp384r1', '-genkey', '-noout'], alg: 'sha384' },
    { name: 'ecdsa P-521', gen: ['ecparam', '-name', 'secp521r1', '-genkey', '-noout'], alg: 'sha512' },
    { name: 'rsa 2048', gen: ['genrsa', '2048'], alg: 'sha256' },
    { name: 'rsa 3072', gen: ['genrsa', '3072'], alg: 'sha256' },
  ];
  for (const c of cases) {
    await t.test(c.name, async () => {
      const key = join(dir, `${c.name}.key`);
      writeFileSync(key, run('openssl', c.gen));
      const pub = run('openssl', ['pkey', '-in', key, '-pubout']);
      const sig = run('openssl', ['dgst', `-${c.alg}`, '-sign', key, artifact]);
      const digest = sha(c.alg, readFileSync(artifact));
      const admitted = await admitEntry(entry(pub, sig, c.alg, digest));
      const body = JSON.parse(admitted.body.toString());
      assert.deepEqual(Object.keys(body), ['apiVersion', 'kind', 'spec']);
      assert.equal(body.spec.signature.content, b64(sig));
      assert.deepEqual(admitted.indexKeys, [keyHash(pub), `${c.alg}:${digest}`]);
      // A different artifact's digest must not verify.
      await rejects(admitEntry(entry(pub, sig, c.alg, sha(c.alg, 'other'))), 'invalid-input', /verifying signature/);
    });
  }
});

test('certificates: PEM re-encoded, SAN emails and URIs indexed, keys hashed over the canonical PEM', async (t) => {
  if (!requireProgram(t, 'openssl', 'version')) return;
  const dir = mkdtempSync(join(tmpdir(), 'signet-hr-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, 'k.pem');
  writeFileSync(key, run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout']));
  const san =
    'subjectAltName=email:Alice@Example.com,URI:https://github.com/signet/app/.github/workflows/r.yml@refs/heads/main';
  const cert = run('openssl', ['req', '-x509', '-new', '-key', key, '-subj', '/CN=t', '-days', '2', '-addext', san]);
  const artifact = Buffer.from('signed by a certificate');
  writeFileSync(join(dir, 'a'), artifact);
  const sig = run('openssl', ['dgst', '-sha256', '-sign', key, join(dir, 'a')]);
  // Messy but valid input: CRLF line ends and surrounding blank lines; Rekor stores Go's pem.Encode of the DER.
  const messy = Buffer.from('\n\n' + cert.toString().replace(/\n/g, '\r\n') + '\n');
  const admitted = await admitEntry(entry(messy, sig, 'sha256', sha('sha256', artifact)));
  const stored = Buffer.from(JSON.parse(admitted.body.toString()).spec.signature.publicKey.content, 'base64');
  assert.equal(stored.toString(), cert.toString());
  assert.deepEqual(admitted.indexKeys, [
    sha('sha256', cert),
    'alice@example.com',
    'https://github.com/signet/app/.github/workflows/r.yml@refs/heads/main',
    `sha256:${sha('sha256', artifact)}`,
  ]);
});

test('Ed25519 keys verify as Ed25519ph over a SHA-512 digest, as Rekor does', async () => {
  const pem = fixture('client-algos', 'ed25519_public.pem');
  const file1 = fixture('client-algos', 'file1');
  const ph = fixture('client-algos', 'file1.ed25519ph.sig');
  const admitted = await admitEntry(entry(pem, ph, 'sha512', sha('sha512', file1)));
  assert.equal(admitted.indexKeys[0], keyHash(pem));
  // A pure Ed25519 signature is not an Ed25519ph one; and Ed25519 with SHA-256 is not an allowed algorithm.
  const pure = fixture('client-algos', 'file1.ed25519.sig');
  await rejects(admitEntry(entry(pem, pure, 'sha512', sha('sha512', file1))), 'invalid-input', /verifying signature/);
  await rejects(admitEntry(entry(pem, ph, 'sha256', sha('sha256', file1))), 'invalid-input', /not allowed/);
  // A freshly made Ed25519ph signature (noble) verifies too.
  const { secretKey, publicKey } = ed25519ph.keygen();
  const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]);
  const fresh = createPublicKey({ key: spki, format: 'der', type: 'spki' }).export({ type: 'spki', format: 'pem' });
  const sig = Buffer.from(ed25519ph.sign(Buffer.from('m'), secretKey));
  await admitEntry(entry(fresh, sig, 'sha512', sha('sha512', 'm')));
});

test("Rekor's client-algorithm fixtures: allowed ones admitted, others refused", async () => {
  const rsa = fixture('client-algos', 'rsa_public.pem');
  await admitEntry(
    entry(rsa, fixture('client-algos', 'file1.rsa.sig'), 'sha256', sha('sha256', fixture('client-algos', 'file1'))),
  );
  // RSA with SHA-512 verifies cryptographically but is not on Rekor's default allow-list.
  const file2 = fixture('client-algos', 'file2');
  await rejects(
    admitEntry(entry(rsa, fixture('client-algos', 'file2.rsa.sig'), 'sha512', sha('sha512', file2))),
    'invalid-input',
    /not allowed/,
  );
  // The ECDSA fixture key is P-256 (its README says secp256k1, the file says otherwise): SHA-256 is allowed,
  // SHA-512 is not.
  const ec = fixture('client-algos', 'ec_public.pem');
  const file1 = fixture('client-algos', 'file1');
  await admitEntry(entry(ec, fixture('client-algos', 'file1.ec.sig'), 'sha256', sha('sha256', file1)));
  const ec512 = fixture('client-algos', 'file2.ec.sig');
  await rejects(admitEntry(entry(ec, ec512, 'sha512', sha('sha512', file2))), 'invalid-input', /not allowed/);
});

test('P-256 with SHA-384, wrong digest lengths, malformed keys and signatures are refused clearly', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' });
  const digest = createHash('sha384').update('x').digest();
  const sig = sign(null, digest, privateKey);
  await rejects(admitEntry(entry(pem, sig, 'sha384', digest.toString('hex'))), 'invalid-input', /not allowed/);
  const d256 = sha('sha256', 'x');
  await rejects(admitEntry(entry(pem, sig, 'sha256', d256.slice(2))), 'invalid-input', /64 hex digits/);
  await rejects(admitEntry(entry(pem, sig, 'md5', d256)), 'invalid-input', /algorithm/);
  await rejects(admitEntry(entry('not a key', sig, 'sha256', d256)), 'invalid-input', /failure decoding PEM/);
  const e = entry(pem, sig, 'sha256', d256) as any;
  e.spec.signature.content = 'AAA*';
  await rejects(admitEntry(e), 'invalid-input', /spec\.signature\.content: not valid standard base64/);
  e.spec.signature.content = '';
  await rejects(admitEntry(e), 'invalid-input');
  await rejects(
    admitEntry({ ...entry(pem, sig, 'sha256', d256), apiVersion: '0.0.2' }),
    'unsupported',
    /hashedrekord version/,
  );
  await rejects(admitEntry({ ...entry(pem, sig, 'sha256', d256), kind: 'rpm' }), 'unsupported', /rpm/);
});

test('uppercase digests are lower-cased in the body and the index, so hex case cannot log a signature twice', async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const digest = createHash('sha256').update('upper').digest();
  const sig = sign('sha256', Buffer.from('upper'), privateKey);
  const pem = publicKey.export({ type: 'spki', format: 'pem' });
  const upper = digest.toString('hex').toUpperCase();
  const admitted = await admitEntry(entry(pem, sig, 'sha256', upper));
  // Rekor keeps the case as sent (so AB.. and ab.. are two entries); signet logs lower case (docs/wire-compat.md).
  assert.equal(JSON.parse(admitted.body.toString()).spec.data.hash.value, upper.toLowerCase());
  assert.ok(admitted.indexKeys.includes(`sha256:${upper.toLowerCase()}`));
  const lower = await admitEntry(entry(pem, sig, 'sha256', upper.toLowerCase()));
  assert.deepEqual(lower.body, admitted.body);
});

test('certificate chains: verified leaf-to-root at the leaf notBefore, stored as concatenated Go PEM', async (t) => {
  if (!requireProgram(t, 'openssl', 'version')) return;
  const dir = mkdtempSync(join(tmpdir(), 'signet-hr-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const f = (n: string) => join(dir, n);
  writeFileSync(f('ca.key'), run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout']));
  const ca = run('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    f('ca.key'),
    '-subj',
    '/CN=ca',
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
  ]);
  writeFileSync(f('ca.pem'), ca);
  // A self-signed "intermediate" that is not a CA, made before the leaf so that it is valid at the leaf's notBefore.
  const notCa = run('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    f('ca.key'),
    '-subj',
    '/CN=ca',
    '-days',
    '2',
    '-addext',
    'basicConstraints=critical,CA:FALSE',
  ]);
  writeFileSync(f('leaf.key'), run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout']));
  writeFileSync(f('leaf.csr'), run('openssl', ['req', '-new', '-key', f('leaf.key'), '-subj', '/CN=leaf']));
  writeFileSync(f('ext'), 'subjectAltName=email:leaf@example.com\n');
  const leaf = run('openssl', [
    'x509',
    '-req',
    '-in',
    f('leaf.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '1',
    '-extfile',
    f('ext'),
  ]);
  const artifact = Buffer.from('chained');
  writeFileSync(f('a'), artifact);
  const sig = run('openssl', ['dgst', '-sha256', '-sign', f('leaf.key'), f('a')]);
  const chain = Buffer.concat([leaf, ca]);
  const admitted = await admitEntry(entry(chain, sig, 'sha256', sha('sha256', artifact)));
  const stored = Buffer.from(JSON.parse(admitted.body.toString()).spec.signature.publicKey.content, 'base64');
  assert.equal(stored.toString(), chain.toString());
  assert.deepEqual(admitted.indexKeys.slice(0, 2), [sha('sha256', chain), 'leaf@example.com']);
  // Root first is not a chain: the leaf (here the CA's cert) is not issued by the "root" that follows it.
  await rejects(admitEntry(entry(Buffer.concat([ca, leaf]), sig, 'sha256', sha('sha256', artifact))), 'invalid-input');
  // A certificate that is not a CA cannot issue.
  await rejects(
    admitEntry(entry(Buffer.concat([leaf, notCa]), sig, 'sha256', sha('sha256', artifact))),
    'invalid-input',
    /not a CA/,
  );
});

test('keys Go cannot parse are refused like Rekor: secp256k1, compressed EC points, DSA', async () => {
  const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  const digest = createHash('sha256').update('k').digest();
  const sig = sign('sha256', Buffer.from('k'), k1.privateKey);
  const pem = k1.publicKey.export({ type: 'spki', format: 'pem' });
  await rejects(
    admitEntry(entry(pem, sig, 'sha256', digest.toString('hex'))),
    'invalid-input',
    /unsupported public key type ec \(secp256k1\)/,
  );
  const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = p256.publicKey.export({ format: 'jwk' });
  const y = Buffer.from(jwk.y!, 'base64url');
  const compressed = Buffer.concat([
    Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'),
    Buffer.from([2 + (y[31]! & 1)]),
    Buffer.from(jwk.x!, 'base64url'),
  ]);
  const compressedPem = `-----BEGIN PUBLIC KEY-----\n${compressed.toString('base64')}\n-----END PUBLIC KEY-----\n`;
  const sig2 = sign('sha256', Buffer.from('k'), p256.privateKey);
  await rejects(
    admitEntry(entry(compressedPem, sig2, 'sha256', digest.toString('hex'))),
    'invalid-input',
    /uncompressed/,
  );
  const dsa = generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
  await rejects(
    admitEntry(entry(dsa.publicKey.export({ type: 'spki', format: 'pem' }), sig2, 'sha256', digest.toString('hex'))),
    'invalid-input',
    /unsupported public key type dsa/,
  );
});

test('the body written directly is canonicalBody of the same spec, byte for byte', () => {
  for (const algorithm of ['sha256', 'sha384', 'sha512'] as const) {
    for (let i = 0; i < 20; i++) {
      const value = randomBytes(DIGEST_BYTES[algorithm]).toString('hex');
      const signature = randomBytes(1 + i * 13).toString('base64');
      const publicKey = randomBytes(91 + i).toString('base64');
      const spec = {
        data: { hash: { algorithm, value } },
        signature: { content: signature, publicKey: { content: publicKey } },
      };
      assert.deepEqual(
        hashedRekordBody(algorithm, value, signature, publicKey),
        canonicalBody('hashedrekord', '0.0.1', spec),
      );
    }
  }
});

const DIGEST_BYTES = { sha256: 32, sha384: 48, sha512: 64 } as const;
