import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { test } from 'node:test';
import { admitEntry } from '../../../src/log/types/index.js';
import { b64, rejects } from './tools.js';

const sha256 = (d: Buffer | string) => createHash('sha256').update(d).digest('hex');

const statement = Buffer.from(
  JSON.stringify({
    _type: 'https://in-toto.io/Statement/v0.1',
    subject: [{ name: 'a.txt', digest: { sha256: 'AB'.repeat(32), sha512: 'cd'.repeat(64) } }],
    predicateType: 'https://slsa.dev/provenance/v0.2',
    predicate: { materials: [{ uri: 'git+https://x', digest: { sha1: 'ef'.repeat(20) } }] },
  }),
);
const PAYLOAD_TYPE = 'application/vnd.in-toto+json';

function pae(type: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`DSSEv1 ${Buffer.byteLength(type)} ${type} ${body.length} `), body]);
}

interface Signer {
  privateKey: KeyObject;
  pem: string;
  alg: string | null;
}

function signer(kind: 'ec' | 'rsa' | 'ed25519'): Signer {
  const pair =
    kind === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : kind === 'rsa'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ed25519');
  return {
    privateKey: pair.privateKey,
    pem: pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
    alg: kind === 'ed25519' ? null : 'sha256',
  };
}

function envelope(signers: Signer[], payload = statement, type = PAYLOAD_TYPE) {
  return {
    payloadType: type,
    payload: b64(payload),
    signatures: signers.map((s) => ({ keyid: '', sig: b64(sign(s.alg, pae(type, payload), s.privateKey)) })),
  };
}

const dsse = (envText: string, verifiers: string[]) => ({
  kind: 'dsse',
  apiVersion: '0.0.1',
  spec: { proposedContent: { envelope: envText, verifiers: verifiers.map(b64) } },
});

test('dsse 0.0.1: hashes, signatures sorted by signature string with their verifiers, in-toto index keys', async () => {
  const signers = [signer('ec'), signer('rsa'), signer('ed25519')];
  const env = envelope(signers);
  const text = JSON.stringify(env);
  const admitted = await admitEntry(dsse(text, signers.map((s) => s.pem).reverse()));
  const body = JSON.parse(admitted.body.toString());
  assert.equal(body.kind, 'dsse');
  assert.deepEqual(body.spec.envelopeHash, { algorithm: 'sha256', value: sha256(text) });
  assert.deepEqual(body.spec.payloadHash, { algorithm: 'sha256', value: sha256(statement) });
  const expected = env.signatures
    .map((s, i) => ({ signature: s.sig, verifier: b64(signers[i]!.pem) }))
    .sort((a, b) => (a.signature < b.signature ? -1 : 1));
  assert.deepEqual(body.spec.signatures, expected);
  assert.equal(admitted.attestation, undefined, 'dsse never stores the envelope');
  for (const key of [
    ...signers.map((s) => `sha256:${sha256(s.pem)}`),
    `sha256:${sha256(statement)}`,
    `sha256:${sha256(text)}`,
    `sha256:${'ab'.repeat(32)}`,
    `sha512:${'cd'.repeat(64)}`,
    `sha1:${'ef'.repeat(20)}`,
  ]) {
    assert.ok(admitted.indexKeys.includes(key), `index key ${key}`);
  }
});

test('dsse 0.0.1: every signature needs a verifier, and every verifier must verify one', async () => {
  const [a, b, c] = [signer('ec'), signer('ec'), signer('ec')];
  const text = JSON.stringify(envelope([a!, b!]));
  await rejects(admitEntry(dsse(text, [a!.pem])), 'invalid-input', /all signatures must have a key/);
  await rejects(admitEntry(dsse(text, [c!.pem, a!.pem, b!.pem])), 'invalid-input', /verifier 0 verifies none/);
  // Once every signature is verified Rekor stops looking, so a trailing unrelated verifier is ignored.
  await admitEntry(dsse(text, [a!.pem, b!.pem, c!.pem]));
  const tampered = JSON.parse(text);
  tampered.payload = b64(Buffer.from('{"changed":true}'));
  await rejects(admitEntry(dsse(JSON.stringify(tampered), [a!.pem, b!.pem])), 'invalid-input');
  await rejects(
    admitEntry(dsse(JSON.stringify({ ...tampered, signatures: [] }), [a!.pem])),
    'invalid-input',
    /1 or more/,
  );
  await rejects(admitEntry(dsse('{not json', [a!.pem])), 'invalid-input', /not valid JSON/);
  await rejects(admitEntry(dsse(text, [])), 'invalid-input', /verifiers/);
  const withComputed = dsse(text, [a!.pem, b!.pem]) as any;
  withComputed.spec.envelopeHash = { algorithm: 'sha256', value: sha256(text) };
  await rejects(admitEntry(withComputed), 'invalid-input', /computed by the log/);
});

function intoto(signers: Signer[], env = envelope(signers), hash = sha256(JSON.stringify(env))) {
  return {
    kind: 'intoto',
    apiVersion: '0.0.2',
    spec: {
      content: {
        envelope: {
          payloadType: env.payloadType,
          payload: b64(env.payload), // Rekor's quirk: the envelope's base64 payload, base64-encoded again
          signatures: env.signatures.map((s, i) => ({ sig: b64(s.sig), publicKey: b64(signers[i]!.pem) })),
        },
        hash: { algorithm: 'sha256', value: hash },
      },
    },
  };
}

test('intoto 0.0.2: payload dropped, double-base64 sig and keys kept verbatim, attestation stored beside', async () => {
  const signers = [signer('ec'), signer('ed25519')];
  const proposed = intoto(signers);
  const admitted = await admitEntry(proposed);
  const body = JSON.parse(admitted.body.toString());
  assert.deepEqual(body, {
    apiVersion: '0.0.2',
    kind: 'intoto',
    spec: {
      content: {
        envelope: {
          payloadType: PAYLOAD_TYPE,
          signatures: proposed.spec.content.envelope.signatures.map((s) => ({ publicKey: s.publicKey, sig: s.sig })),
        },
        hash: proposed.spec.content.hash,
        payloadHash: { algorithm: 'sha256', value: sha256(statement) },
      },
    },
  });
  assert.deepEqual(admitted.attestation, { mediaType: PAYLOAD_TYPE, data: statement });
  assert.ok(admitted.indexKeys.includes(`sha256:${sha256(signers[0]!.pem)}`));
  assert.ok(!admitted.indexKeys.includes(`sha256:${proposed.spec.content.hash.value}`), 'envelope hash not indexed');
  const small = await admitEntry(proposed, { maxAttestationBytes: 16 });
  assert.equal(small.attestation, undefined, 'too large to store, still admitted');
  assert.deepEqual(small.body, admitted.body);
});

test('intoto 0.0.2: bad signatures, missing hash and keyid handling', async () => {
  const [a, b] = [signer('ec'), signer('rsa')];
  const good = intoto([a!]);
  const wrongKey = structuredClone(good);
  wrongKey.spec.content.envelope.signatures[0]!.publicKey = b64(b!.pem);
  await rejects(admitEntry(wrongKey), 'invalid-input', /verifies none/);
  const noHash = structuredClone(good) as any;
  delete noHash.spec.content.hash;
  await rejects(admitEntry(noHash), 'invalid-input', /spec\.content\.hash: missing/);
  const singleB64 = structuredClone(good) as any;
  singleB64.spec.content.envelope.payload = b64(statement); // forgot the second base64
  await rejects(admitEntry(singleB64), 'invalid-input');
  const withKeyid = structuredClone(good) as any;
  withKeyid.spec.content.envelope.signatures[0].keyid = 'my-key';
  const admitted = await admitEntry(withKeyid);
  assert.equal(JSON.parse(admitted.body.toString()).spec.content.envelope.signatures[0].keyid, 'my-key');
});

test('intoto 0.0.1: envelope text and one key; hashes and canonical key stored, payload as attestation', async () => {
  const [a, b] = [signer('ec'), signer('ec')];
  const env = envelope([b!, a!]); // the key needs to verify one of the signatures, not all
  const text = JSON.stringify(env);
  const proposed = {
    kind: 'intoto',
    apiVersion: '0.0.1',
    spec: { content: { envelope: text }, publicKey: b64(a!.pem) },
  };
  const admitted = await admitEntry(proposed);
  assert.deepEqual(JSON.parse(admitted.body.toString()), {
    apiVersion: '0.0.1',
    kind: 'intoto',
    spec: {
      content: {
        hash: { algorithm: 'sha256', value: sha256(text) },
        payloadHash: { algorithm: 'sha256', value: sha256(statement) },
      },
      publicKey: b64(a!.pem),
    },
  });
  assert.deepEqual(admitted.attestation, { mediaType: PAYLOAD_TYPE, data: statement });
  assert.ok(admitted.indexKeys.includes(`sha256:${sha256(text)}`));
  const other = signer('ec');
  await rejects(
    admitEntry({ ...proposed, spec: { ...proposed.spec, publicKey: b64(other.pem) } }),
    'invalid-input',
    /no signature verifies/,
  );
});
