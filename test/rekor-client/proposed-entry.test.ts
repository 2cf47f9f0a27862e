import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import fc from 'fast-check';
import {
  buildProposedEntry,
  parseArtifactHash,
  parseProposedEntry,
  signatureBytes,
} from '../../src/rekor-client/index.js';
import { SignetError } from '../../src/errors.js';
import { preAuthEncoding } from '../../src/bundle/index.js';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = Buffer.from(publicKey.export({ type: 'spki', format: 'pem' }));
const artifact = Buffer.from('hello, signet\n');
const sig = sign('sha256', artifact, privateKey);
const sha = createHash('sha256').update(artifact).digest('hex');

test('hashedrekord: the digest, the signature and the PEM key, base64', () => {
  const e = buildProposedEntry('hashedrekord', { artifact, signature: sig, publicKeys: [pem], pkiFormat: 'x509' });
  assert.deepEqual(e, {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: sha } },
      signature: { content: sig.toString('base64'), publicKey: { content: pem.toString('base64') } },
    },
  });
  const byHash = buildProposedEntry('hashedrekord:0.0.1', {
    artifactHash: `sha256:${sha}`,
    signature: signatureBytes(Buffer.from(sig.toString('base64') + '\n')), // as the CLI reads a signature file
    publicKeys: [publicKey.export({ type: 'spki', format: 'der' })],
    pkiFormat: 'x509',
  });
  assert.deepEqual(byHash, e, 'a base64 signature file and a DER key give the same entry');
});

test('rekord carries the artifact and the pki format', () => {
  const e = buildProposedEntry('rekord', {
    artifact,
    signature: Buffer.from('sshsig'),
    publicKeys: [Buffer.from('ssh-ed25519 AAAA')],
    pkiFormat: 'ssh',
  });
  assert.equal(e.kind, 'rekord');
  assert.deepEqual(e.spec, {
    signature: {
      format: 'ssh',
      content: Buffer.from('sshsig').toString('base64'),
      publicKey: { content: Buffer.from('ssh-ed25519 AAAA').toString('base64') },
    },
    data: { content: artifact.toString('base64') },
  });
});

test('intoto 0.0.2 base64s the payload and sig once more; dsse keeps the envelope as a string', () => {
  const payload = Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}');
  const s = sign('sha256', preAuthEncoding('application/vnd.in-toto+json', payload), privateKey).toString('base64');
  const env = Buffer.from(
    JSON.stringify({
      payloadType: 'application/vnd.in-toto+json',
      payload: payload.toString('base64'),
      signatures: [{ sig: s, keyid: '' }],
    }),
  );
  const i = buildProposedEntry('intoto', { artifact: env, publicKeys: [pem], pkiFormat: 'x509' });
  const content = (
    i.spec as {
      content: {
        envelope: { payload: string; signatures: { sig: string; publicKey: string }[] };
        hash: { value: string };
      };
    }
  ).content;
  assert.equal(i.apiVersion, '0.0.2');
  assert.equal(Buffer.from(content.envelope.payload, 'base64').toString(), payload.toString('base64'));
  assert.equal(Buffer.from(content.envelope.signatures[0]!.sig, 'base64').toString(), s);
  assert.equal(Buffer.from(content.envelope.signatures[0]!.publicKey, 'base64').toString(), pem.toString());
  assert.equal(content.hash.value, createHash('sha256').update(env).digest('hex'));
  const d = buildProposedEntry('dsse', { artifact: env, publicKeys: [pem], pkiFormat: 'x509' });
  assert.deepEqual(d.spec, { proposedContent: { envelope: env.toString(), verifiers: [pem.toString('base64')] } });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' });
  assert.throws(
    () => buildProposedEntry('intoto', { artifact: env, publicKeys: [Buffer.from(other)], pkiFormat: 'x509' }),
    /not made by any of the public keys given/,
  );
});

test('bad input is a one-line invalid-input error', () => {
  const cases: [string, Parameters<typeof buildProposedEntry>[1], RegExp][] = [
    ['nope', { publicKeys: [pem], pkiFormat: 'x509' }, /unknown entry type/],
    ['hashedrekord', { artifact, signature: sig, publicKeys: [pem], pkiFormat: 'pgp' }, /x509 keys only/],
    [
      'hashedrekord',
      { artifact, signature: sig, publicKeys: [Buffer.from('garbage')], pkiFormat: 'x509' },
      /not an x509/,
    ],
    ['hashedrekord', { signature: sig, publicKeys: [pem], pkiFormat: 'x509' }, /needs an artifact/],
    [
      'hashedrekord',
      { artifact, artifactHash: 'sha256:' + '0'.repeat(64), signature: sig, publicKeys: [pem], pkiFormat: 'x509' },
      /does not match/,
    ],
    ['hashedrekord:9.9.9', { artifact, signature: sig, publicKeys: [pem], pkiFormat: 'x509' }, /not supported/],
    ['intoto', { artifact: Buffer.from('{'), publicKeys: [pem], pkiFormat: 'x509' }, /not a DSSE envelope/],
    ['dsse', { artifact: Buffer.from('{"payload":1}'), publicKeys: [pem], pkiFormat: 'x509' }, /not a DSSE envelope/],
  ];
  for (const [type, props, message] of cases) {
    assert.throws(
      () => buildProposedEntry(type, props),
      (e: unknown) => e instanceof SignetError && message.test(e.message) && !e.message.includes('\n'),
      `${type}: ${message}`,
    );
  }
  assert.throws(() => parseProposedEntry('[]'), /needs kind, apiVersion and spec/);
  assert.throws(() => parseProposedEntry('{'), /not JSON/);
});

test('artifact hashes: the length picks the algorithm, a wrong prefix is refused', () => {
  assert.deepEqual(parseArtifactHash('AB'.repeat(32)), { algorithm: 'sha256', value: 'ab'.repeat(32) });
  assert.deepEqual(parseArtifactHash('sha512:' + 'a'.repeat(128)), { algorithm: 'sha512', value: 'a'.repeat(128) });
  assert.throws(() => parseArtifactHash('sha512:' + 'a'.repeat(64)), /not an artifact hash/);
  assert.throws(() => parseArtifactHash('xyz'), /not an artifact hash/);
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      try {
        const h = parseArtifactHash(s);
        return /^[0-9a-f]+$/.test(h.value);
      } catch (e) {
        return e instanceof SignetError && e.code === 'invalid-input';
      }
    }),
  );
});

test('signature files: DER as is, base64 decoded, other binary untouched', () => {
  assert.deepEqual(signatureBytes(sig), sig);
  assert.deepEqual(signatureBytes(Buffer.from(sig.toString('base64') + '\n')), sig);
  // base64 text that starts with '0' (byte 0x30, like DER) is still base64: 1 in 64 raw Ed25519 signatures.
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (raw) => {
      const b64 = Buffer.from(Buffer.from(raw).toString('base64'));
      return signatureBytes(b64).equals(Buffer.from(raw));
    }),
  );
  const zeroFirst = Buffer.from([0xd3, 0x4d, 0x34, 1, 2, 3]);
  assert.equal(zeroFirst.toString('base64')[0], '0');
  assert.deepEqual(signatureBytes(Buffer.from(zeroFirst.toString('base64'))), zeroFirst);
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 100 }), (b) => signatureBytes(Buffer.from(b)).length > 0),
  );
});
