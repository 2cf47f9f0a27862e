import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { merkleTreeLeaf } from '../../src/ct/index.js';
import { decodeEntryBody } from '../../web/src/lib/entry-body.js';
import { parseCtLeaf } from '../../web/src/lib/ct-leaf.js';
import { parseSearchQuery } from '../../web/src/lib/search-query.js';
import { repoRoot } from '../helpers/env.js';
import { hashedRekordSigner } from '../log/server/fixtures.js';
import { logApp } from '../log/server/app.js';

const fixture = (p: string) => readFileSync(join(repoRoot, 'test/fixtures/rekor/public-log', p));
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64');

describe('web: entry bodies', () => {
  it('decodes a hashedrekord body the log wrote (digest, signature, key algorithm)', async () => {
    const t = await logApp();
    try {
      const signer = hashedRekordSigner();
      const r = await t.app.inject({ method: 'POST', url: '/api/v1/log/entries', payload: signer.entry() as object });
      const body = (Object.values(r.json())[0] as { body: string }).body;
      const s = decodeEntryBody(body);
      assert.equal(s.kind, 'hashedrekord');
      assert.equal(s.apiVersion, '0.0.1');
      assert.equal(s.artifactDigest?.algorithm, 'sha256');
      assert.match(s.artifactDigest!.value, /^[0-9a-f]{64}$/);
      assert.equal(s.signatures.length, 1);
      assert.equal(s.signatures[0]!.keyAlgorithm, 'ECDSA P-256');
      assert.match(s.signatures[0]!.keyText!, /BEGIN PUBLIC KEY/);
      assert.ok(s.signatures[0]!.signature.length > 0);
    } finally {
      await t.close();
    }
  });

  it('decodes production rekord (ssh, pgp) and intoto 0.0.2 bodies', () => {
    const ssh = decodeEntryBody(fixture('logindex-1236200.body').toString('base64'));
    assert.equal(ssh.kind, 'rekord');
    assert.deepEqual(ssh.artifactDigest, {
      algorithm: 'sha256',
      value: '46bd319d3590d2b4d7c7a27c99d32f7ea60a850ec3806351e04d161d014ecc01',
    });
    assert.equal(ssh.signatures[0]!.format, 'ssh');
    assert.match(ssh.signatures[0]!.keyText!, /^ssh-ed25519 /);
    const pgp = decodeEntryBody(fixture('logindex-0.body').toString('base64'));
    assert.equal(pgp.signatures[0]!.format, 'pgp');
    assert.equal(pgp.signatures[0]!.certificate, undefined);

    const bundle = JSON.parse(fixture('intoto-30955468.sigstore.json').toString());
    const intoto = decodeEntryBody(bundle.verificationMaterial.tlogEntries[0].canonicalizedBody);
    assert.equal(intoto.kind, 'intoto');
    assert.equal(intoto.payloadType, 'application/vnd.in-toto+json');
    assert.equal(intoto.artifactDigest?.algorithm, 'sha256');
    assert.equal(intoto.signatures.length, 1);
    assert.equal(intoto.signatures[0]!.signature, bundle.dsseEnvelope.signatures[0].sig);
    assert.equal(intoto.signatures[0]!.certificate?.sans[0], 'email:brian@dehamer.com');
  });

  it('decodes dsse bodies with several verifiers', () => {
    const pem = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const verifier = Buffer.from(pem).toString('base64');
    const s = decodeEntryBody(
      b64({
        kind: 'dsse',
        apiVersion: '0.0.1',
        spec: {
          envelopeHash: { algorithm: 'sha256', value: 'aa' },
          payloadHash: { algorithm: 'sha256', value: 'bb' },
          signatures: [
            { signature: 'c2ln', verifier },
            { signature: 'c2lnMg==', verifier },
          ],
        },
      }),
    );
    assert.deepEqual(s.artifactDigest, { algorithm: 'sha256', value: 'bb' });
    assert.deepEqual(s.envelopeDigest, { algorithm: 'sha256', value: 'aa' });
    assert.deepEqual(
      s.signatures.map((x) => [x.signature, x.keyAlgorithm]),
      [
        ['c2ln', 'Ed25519'],
        ['c2lnMg==', 'Ed25519'],
      ],
    );
  });

  it('refuses bodies that are not Rekor entries, and tolerates odd fields', () => {
    assert.throws(() => decodeEntryBody(b64([1, 2])), /no kind/);
    assert.throws(() => decodeEntryBody(Buffer.from('not json').toString('base64')), SyntaxError);
    const odd = decodeEntryBody(b64({ kind: 'hashedrekord', apiVersion: '0.0.1', spec: { signature: 5, data: [] } }));
    assert.equal(odd.artifactDigest, undefined);
    const badKey = decodeEntryBody(
      b64({
        kind: 'hashedrekord',
        apiVersion: '0.0.1',
        spec: {
          signature: {
            content: 'AA==',
            publicKey: {
              content: Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----').toString('base64'),
            },
          },
        },
      }),
    );
    assert.equal(badKey.signatures[0]!.certificate, undefined);
    assert.match(badKey.signatures[0]!.keyText!, /BEGIN CERTIFICATE/);
  });
});

describe('web: CT log leaves', () => {
  it('decodes x509 and precert MerkleTreeLeaf structures as the CT log writes them', () => {
    const bundle = JSON.parse(fixture('intoto-30955468.sigstore.json').toString());
    const der = Buffer.from(bundle.verificationMaterial.x509CertificateChain.certificates[0].rawBytes, 'base64');
    const x = parseCtLeaf(
      merkleTreeLeaf(1691781533123, { type: 'x509', certDer: der }, Buffer.alloc(0)).toString('base64'),
    );
    assert.equal(x.type, 'x509');
    assert.equal(x.timestamp.getTime(), 1691781533123);
    assert.equal(x.certificate.sans[0], 'email:brian@dehamer.com');

    // A TBSCertificate is the first element of the certificate; the precert entry carries it alone.
    const tbsLen = der[5]! === 0x82 ? 4 + der.readUInt16BE(6) : 0;
    assert.ok(tbsLen > 0);
    const tbs = der.subarray(4, 4 + tbsLen);
    const p = parseCtLeaf(
      merkleTreeLeaf(
        5,
        { type: 'precert', issuerKeyHash: Buffer.alloc(32, 0xab), tbsDer: tbs },
        Buffer.alloc(0),
      ).toString('base64'),
    );
    assert.equal(p.type, 'precert');
    assert.equal(p.issuerKeyHash, 'ab'.repeat(32));
    assert.equal(p.certificate.serialHex, x.certificate.serialHex);
  });

  it('refuses truncated and unknown leaves', () => {
    assert.throws(() => parseCtLeaf('AAAA'), /truncated/);
    assert.throws(
      () => parseCtLeaf(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 7]).toString('base64')),
      /unknown CT entry type 7/,
    );
    assert.throws(() => parseCtLeaf(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]).toString('base64')), /not a v1/);
    assert.throws(
      () => parseCtLeaf(Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 9]).toString('base64')),
      /truncated/,
    );
  });
});

describe('web: search box', () => {
  it('classifies each kind of query by its shape', () => {
    const hex64 = 'AB'.repeat(32);
    assert.deepEqual(parseSearchQuery(' 42 '), { type: 'logIndex', index: 42 });
    assert.deepEqual(parseSearchQuery('ab'.repeat(40)), { type: 'entryId', id: 'ab'.repeat(40) });
    assert.deepEqual(parseSearchQuery(hex64), { type: 'uuidOrHash', hex: hex64.toLowerCase() });
    assert.deepEqual(parseSearchQuery(`sha256:${hex64}`), { type: 'hash', hash: `sha256:${hex64.toLowerCase()}` });
    assert.deepEqual(parseSearchQuery('cd'.repeat(64)), { type: 'hash', hash: 'cd'.repeat(64) });
    assert.deepEqual(parseSearchQuery('alice@example.com'), { type: 'email', email: 'alice@example.com' });
    const pem = '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----';
    const q = parseSearchQuery(pem);
    assert.equal(q.type, 'publicKey');
    assert.equal(q.type === 'publicKey' && Buffer.from(q.content, 'base64').toString(), `${pem}\n`);
    assert.deepEqual(parseSearchQuery('ssh-ed25519 AAAA x'), {
      type: 'publicKey',
      format: 'ssh',
      content: Buffer.from('ssh-ed25519 AAAA x').toString('base64'),
    });
    assert.throws(() => parseSearchQuery('   '), /type an email/);
    assert.throws(() => parseSearchQuery('sha256:abc'), /not an email/);
    assert.throws(() => parseSearchQuery('two words'), /not an email/);
  });
});
