import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import { admitEntry } from '../../../src/log/types/index.js';
import { fixture } from './tools.js';

/**
 * Proposed entries built by sigstore-js's own Rekor entry builder (@sigstore/sign, the code `sigstore sign` and
 * `attest` run), for a message signature and a DSSE envelope as both `dsse` and `intoto` entries.
 */
const require = createRequire(import.meta.url);
const { toProposedEntry } = require('@sigstore/sign/dist/witness/tlog/entry.js') as {
  toProposedEntry: (content: unknown, publicKey: string, entryType?: 'dsse' | 'intoto') => unknown;
};

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;

test('sigstore-js hashedrekord entries are admitted', async () => {
  const artifact = Buffer.from('signed by sigstore-js');
  const messageSignature = {
    messageDigest: { algorithm: 'SHA2_256', digest: createHash('sha256').update(artifact).digest() },
    signature: sign('sha256', artifact, privateKey),
  };
  const admitted = await admitEntry(toProposedEntry({ $case: 'messageSignature', messageSignature }, pem));
  assert.equal(admitted.kind, 'hashedrekord');
});

test('sigstore-js dsse and intoto entries are admitted', async () => {
  const payload = Buffer.from(
    JSON.stringify({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'x', digest: { sha256: 'ab'.repeat(32) } }],
    }),
  );
  const payloadType = 'application/vnd.in-toto+json';
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${payloadType.length} ${payloadType} ${payload.length} `), payload]);
  const dsseEnvelope = { payload, payloadType, signatures: [{ sig: sign('sha256', pae, privateKey), keyid: '' }] };
  const dsse = await admitEntry(toProposedEntry({ $case: 'dsseEnvelope', dsseEnvelope }, pem, 'dsse'));
  assert.equal(dsse.kind, 'dsse');
  assert.ok(dsse.indexKeys.includes(`sha256:${'ab'.repeat(32)}`));
  const intoto = await admitEntry(toProposedEntry({ $case: 'dsseEnvelope', dsseEnvelope }, pem, 'intoto'));
  assert.equal(intoto.apiVersion, '0.0.2');
  assert.deepEqual(intoto.attestation?.data, payload);
});

test('a production intoto 0.0.2 entry (rekor.sigstore.dev log index 30955468) is reproduced byte for byte', async () => {
  // From sigstore-js's DEMO.md: `sigstore attest` output, with the canonicalizedBody Rekor logged for it.
  const bundle = JSON.parse(fixture('public-log', 'intoto-30955468.sigstore.json').toString());
  const env = bundle.dsseEnvelope;
  const der = bundle.verificationMaterial.x509CertificateChain.certificates[0].rawBytes as string;
  // sigstore-js then wrote the certificate PEM without a trailing newline; Rekor keeps intoto keys verbatim.
  const pem = `-----BEGIN CERTIFICATE-----\n${der.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----`;
  const dsseEnvelope = {
    payload: Buffer.from(env.payload, 'base64'),
    payloadType: env.payloadType,
    signatures: env.signatures.map((s: { sig: string; keyid: string }) => ({
      sig: Buffer.from(s.sig, 'base64'),
      keyid: s.keyid,
    })),
  };
  const admitted = await admitEntry(toProposedEntry({ $case: 'dsseEnvelope', dsseEnvelope }, pem, 'intoto'));
  const logged = Buffer.from(bundle.verificationMaterial.tlogEntries[0].canonicalizedBody, 'base64');
  assert.equal(admitted.body.toString(), logged.toString());
  assert.deepEqual(admitted.attestation?.data, dsseEnvelope.payload);
});
