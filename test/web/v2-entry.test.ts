import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { inclusionProof, leafHash as nodeLeafHash, rootHash } from '../../src/merkle/index.js';
import { formatCheckpoint, rekorV2KeyId, rekorV2NoteSigner, signNote } from '../../src/note/index.js';
import { admitV2Request, v2IndexKeys } from '../../src/rekor-v2/index.js';
import { decodeEntryBody } from '../../web/src/lib/entry-body.js';
import { importLogKey } from '../../web/src/lib/log-key.js';
import { indexQueryFor, parseSearchQuery, v2LeafHashFor } from '../../web/src/lib/search-query.js';
import { verifyV2Entry, type V2EntryJson, type V2LogJson } from '../../web/src/lib/verify-v2-entry.js';
import { dsseRequest, hashedRekordRequest } from '../rekor-v2/fixtures.js';

const ORIGIN = 'rekor2.explorer.test';

/** Three admitted v2 entries in a tree signed with a fresh Ed25519 v2 key: what the explorer API serves. */
async function fixture() {
  const keyed = hashedRekordRequest('artifact one');
  const bodies = [
    admitV2Request(keyed.request).body,
    admitV2Request(dsseRequest('{"_type":"x"}').request).body,
    admitV2Request(hashedRekordRequest('artifact three').request).body,
  ];
  const hashes = bodies.map((b) => nodeLeafHash(b));
  const root = rootHash(hashes);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const checkpoint = signNote(formatCheckpoint({ origin: ORIGIN, size: 3, rootHash: root }), [
    rekorV2NoteSigner(ORIGIN, privateKey),
  ]);
  const read = (level: number, index: number) => rootHash(hashes.slice(index << level, (index + 1) << level));
  const entry = async (i: number): Promise<V2EntryJson> => ({
    logIndex: i,
    leafHash: hashes[i]!.toString('hex'),
    body: bodies[i]!.toString('base64'),
    inclusionProof: {
      logIndex: i,
      treeSize: 3,
      rootHash: root.toString('hex'),
      hashes: (await inclusionProof(i, 3, read)).map((h) => h.toString('hex')),
      checkpoint,
    },
  });
  const log: V2LogJson = {
    origin: ORIGIN,
    logId: rekorV2KeyId(ORIGIN, publicKey).toString('base64'),
    publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    treeSize: 3,
    rootHash: root.toString('hex'),
    checkpoint,
  };
  return { entry, log, key: await importLogKey(log.publicKey), keyed, bodies };
}

describe('web: Rekor v2 entries', () => {
  it('decodes hashedrekord and dsse 0.0.2 bodies: digest as hex, the verifier key', async () => {
    const f = await fixture();
    const hr = decodeEntryBody(f.bodies[0]!.toString('base64'));
    assert.equal(hr.kind, 'hashedrekord');
    assert.equal(hr.apiVersion, '0.0.2');
    const digest = Buffer.from(f.keyed.request.hashedRekordRequestV002.digest, 'base64').toString('hex');
    assert.deepEqual(hr.artifactDigest, { algorithm: 'sha256', value: digest });
    assert.equal(hr.signatures[0]!.signature, f.keyed.request.hashedRekordRequestV002.signature.content);
    assert.equal(hr.signatures[0]!.keyAlgorithm, 'ECDSA P-256');
    // The explorer searches the digest it shows; the server indexed the same key.
    assert.ok(v2IndexKeys(f.bodies[0]!).includes(`sha256:${digest}`));
    const dsse = decodeEntryBody(f.bodies[1]!.toString('base64'));
    assert.equal(dsse.kind, 'dsse');
    assert.equal(dsse.signatures.length, 1);
    assert.equal(dsse.artifactDigest?.algorithm, 'sha256');
  });

  it('verifies every entry (Ed25519 checkpoint in WebCrypto), and fails a tampered proof, body or checkpoint', async () => {
    const f = await fixture();
    for (const i of [0, 1, 2]) {
      const checks = await verifyV2Entry(await f.entry(i), f.log, f.key);
      assert.deepEqual(
        checks.map((c) => c.ok),
        [true, true, true, true],
        JSON.stringify(checks),
      );
    }
    const bad = await f.entry(1);
    bad.inclusionProof.hashes[0] = '00'.repeat(32);
    const failed = (await verifyV2Entry(bad, f.log, f.key)).filter((c) => !c.ok).map((c) => c.name);
    assert.deepEqual(failed, ['Inclusion proof leads to the root hash']);

    const otherBody = await f.entry(1);
    otherBody.body = f.bodies[2]!.toString('base64');
    assert.ok((await verifyV2Entry(otherBody, f.log, f.key)).some((c) => !c.ok));

    const forged = await f.entry(0);
    forged.inclusionProof.checkpoint = forged.inclusionProof.checkpoint.replace(/ (\S{8})(\S+)\n$/, (_m, a, b) => {
      const sig = Buffer.from(a + b, 'base64');
      sig[sig.length - 1]! ^= 1;
      return ` ${sig.toString('base64')}\n`;
    });
    const sig = (await verifyV2Entry(forged, f.log, f.key)).find((c) => c.name.startsWith('Checkpoint is signed'));
    assert.equal(sig?.ok, false);
  });

  it('maps search box queries to the paged index search and to v2 leaf hash look-ups', () => {
    const both = (input: string) => {
      const q = parseSearchQuery(input);
      return [indexQueryFor(q), v2LeafHashFor(q)];
    };
    assert.deepEqual(both('alice@example.com'), [{ email: 'alice@example.com' }, undefined]);
    const hex = 'ab'.repeat(32);
    assert.deepEqual(both(hex), [{ hash: `sha256:${hex}` }, hex]);
    assert.deepEqual(both(`sha512:${'cd'.repeat(64)}`), [{ hash: `sha512:${'cd'.repeat(64)}` }, undefined]);
    assert.deepEqual(both(`0123456789abcdef${hex}`), [undefined, hex]);
    assert.deepEqual(both('12'), [undefined, undefined]);
    assert.deepEqual(both('ssh-ed25519 AAAA x'), [
      { publicKey: { format: 'ssh', content: Buffer.from('ssh-ed25519 AAAA x').toString('base64') } },
      undefined,
    ]);
  });
});
