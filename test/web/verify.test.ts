import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { inclusionProof, leafHash as nodeLeafHash, rootHash } from '../../src/merkle/index.js';
import { rekorNoteSigner, signNote } from '../../src/note/index.js';
import { setPayload as serverSetPayload } from '../../src/log/index.js';
import { canonicalJson } from '../../src/encoding/index.js';
import { fromHex, toHex, utf8 } from '../../web/src/lib/bytes.js';
import { derSignatureToRaw, importLogKey, setPayload } from '../../web/src/lib/log-key.js';
import { leafHash, rootFromInclusionProof } from '../../web/src/lib/merkle.js';
import { cosignatureTime, parseCheckpoint } from '../../web/src/lib/note.js';
import { verifyEntry, type LogEntryJson } from '../../web/src/lib/verify-entry.js';
import { sign } from 'node:crypto';

const leaves = Array.from({ length: 37 }, (_, i) => Buffer.from(`leaf ${i}`));
const hashes = leaves.map((l) => nodeLeafHash(l));
/** Node (level, index) of the tree over `hashes`, from the server's own Merkle code. */
const reader = (level: number, index: number) => rootHash(hashes.slice(index << level, (index + 1) << level));

describe('web: Merkle inclusion proofs (RFC 9162)', () => {
  it('agrees with the server for every leaf of every tree size up to 37', async () => {
    for (let size = 1; size <= leaves.length; size++) {
      const root = rootHash(hashes.slice(0, size));
      for (let i = 0; i < size; i++) {
        const proof = await inclusionProof(i, size, reader);
        const got = await rootFromInclusionProof(i, size, await leafHash(leaves[i]!), proof);
        assert.equal(toHex(got), root.toString('hex'), `leaf ${i} of ${size}`);
      }
    }
  });

  it('leads elsewhere with a flipped hash, a wrong index, and refuses wrong lengths', async () => {
    const size = 21;
    const root = rootHash(hashes.slice(0, size)).toString('hex');
    const proof = await inclusionProof(5, size, reader);
    const leaf = await leafHash(leaves[5]!);
    const flipped = proof.map((p, i) => (i === 2 ? Buffer.from(p.map((b, j) => (j === 0 ? b ^ 1 : b))) : p));
    assert.notEqual(toHex(await rootFromInclusionProof(5, size, leaf, flipped)), root);
    assert.notEqual(toHex(await rootFromInclusionProof(4, size, leaf, proof)), root);
    await assert.rejects(rootFromInclusionProof(5, size, leaf, proof.slice(1)), /too short/);
    await assert.rejects(rootFromInclusionProof(5, size, leaf, [...proof, proof[0]!]), /too long/);
    await assert.rejects(rootFromInclusionProof(21, size, leaf, proof), /outside/);
    await assert.rejects(rootFromInclusionProof(5, size, leaf, [Buffer.alloc(31), ...proof.slice(1)]), /32 bytes/);
  });
});

function keyPem(k: KeyObject): string {
  return k.export({ type: 'spki', format: 'pem' }) as string;
}

const keyTypes = {
  'ECDSA P-256': () => generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  Ed25519: () => generateKeyPairSync('ed25519'),
};

describe('web: checkpoints and log keys (WebCrypto)', () => {
  for (const [name, make] of Object.entries(keyTypes)) {
    it(`verifies a Rekor checkpoint signed with ${name}, and not a changed one`, async () => {
      const { privateKey, publicKey } = make();
      const text = 'log.example - 123\n5\n' + Buffer.alloc(32, 9).toString('base64') + '\nTimestamp: 1\n';
      const note = signNote(text, [rekorNoteSigner('log.example', privateKey)]);
      const key = await importLogKey(keyPem(publicKey));
      assert.equal(key.algorithm, name);
      const cp = parseCheckpoint(note);
      assert.deepEqual([cp.origin, cp.size, cp.extensions], ['log.example - 123', 5, ['Timestamp: 1']]);
      assert.equal(cp.signatures[0]!.keyHash, key.keyHash);
      assert.equal(await key.verify(utf8(cp.text), cp.signatures[0]!.signature), true);
      assert.equal(await key.verify(utf8(cp.text.replace('\n5\n', '\n6\n')), cp.signatures[0]!.signature), false);
    });
  }

  it('reads witness cosignature lines and their timestamps', () => {
    const text = 'o\n1\n' + Buffer.alloc(32).toString('base64') + '\n';
    const blob = Buffer.concat([
      Buffer.from('01020304', 'hex'),
      Buffer.from('0000000065000000', 'hex'),
      Buffer.alloc(64),
    ]);
    const cp = parseCheckpoint(`${text}\n\u2014 witness.example ${blob.toString('base64')}\n`);
    assert.equal(cp.signatures[0]!.keyHash, '01020304');
    assert.equal(cosignatureTime(cp.signatures[0]!)!.getTime(), 0x65000000 * 1000);
    const der = Buffer.concat([
      Buffer.from('01020304', 'hex'),
      Buffer.from('3046022100', 'hex'),
      Buffer.alloc(67, 0xff),
    ]);
    const log = parseCheckpoint(`${text}\n\u2014 log.example ${der.toString('base64')}\n`);
    assert.equal(cosignatureTime(log.signatures[0]!), undefined, 'a 72-byte DER signature is no timestamp');
  });

  it('refuses malformed checkpoints with a message', () => {
    const root = Buffer.alloc(32).toString('base64');
    assert.throws(() => parseCheckpoint('o\n1\n' + root + '\n'), /no blank line/);
    assert.throws(() => parseCheckpoint('o\nx\n' + root + '\n\n\u2014 a AAAAAAA=\n'), /origin, tree size/);
    assert.throws(() => parseCheckpoint('o\n1\nAAAA\n\n\u2014 a AAAAAAA=\n'), /32 bytes/);
    assert.throws(() => parseCheckpoint('o\n1\n' + root + '\n\n- a AAAAAAA=\n'), /bad signature line/);
  });

  it('converts ECDSA DER signatures to r||s, and refuses oversized or malformed ones', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (let i = 0; i < 20; i++) {
      const der = sign('sha256', Buffer.from(`m${i}`), { key: privateKey, dsaEncoding: 'der' });
      const p1363 = sign('sha256', Buffer.from(`m${i}`), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      assert.equal(derSignatureToRaw(der, 32)!.length, 64);
      assert.equal(p1363.length, 64);
    }
    assert.equal(derSignatureToRaw(Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x01]), 32), undefined);
    assert.equal(derSignatureToRaw(Uint8Array.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x02, 0x01]), 32), undefined);
  });

  it('builds the SET payload byte for byte as the server does', () => {
    const e = {
      body: Buffer.from('{"a":1}').toString('base64'),
      integratedTime: 1700000000,
      logID: 'ab'.repeat(32),
      logIndex: 42,
    };
    const server = serverSetPayload(e.logID, {
      body: Buffer.from('{"a":1}'),
      integratedTime: e.integratedTime,
      logIndex: 42,
    });
    assert.equal(Buffer.from(setPayload(e)).toString(), server.toString());
    assert.equal(server.toString(), canonicalJson(e));
  });
});

describe('web: whole-entry verification', () => {
  async function entry() {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const key = await importLogKey(keyPem(publicKey));
    const size = 21;
    const index = 9;
    const root = rootHash(hashes.slice(0, size));
    const text = `log.example - 1\n${size}\n${root.toString('base64')}\n`;
    const checkpoint = signNote(text, [rekorNoteSigner('log.example', privateKey)]);
    const e: LogEntryJson = {
      body: leaves[index]!.toString('base64'),
      integratedTime: 1700000000,
      logID: key.logId,
      logIndex: index,
    };
    const set = sign('sha256', Buffer.from(setPayload(e)), privateKey).toString('base64');
    const proof = (await inclusionProof(index, size, reader)).map((h) => h.toString('hex'));
    e.verification = {
      signedEntryTimestamp: set,
      inclusionProof: { logIndex: index, treeSize: size, rootHash: root.toString('hex'), hashes: proof, checkpoint },
    };
    const id = '0000000000000001' + hashes[index]!.toString('hex');
    return { e, key, id };
  }

  it('passes every check for a genuine entry', async () => {
    const { e, key, id } = await entry();
    const checks = await verifyEntry(id, e, key);
    assert.deepEqual(
      checks.map((c) => [c.name, c.ok]),
      [
        ['Entry ID is the leaf hash of the body', true],
        ['Inclusion proof leads to the root hash', true],
        ['Checkpoint commits to that root and size', true],
        ["Checkpoint is signed by the log's key", true],
        ['Signed entry timestamp is valid', true],
      ],
    );
  });

  it('fails exactly the check a tampering breaks', async () => {
    const cases: Array<[string, (x: Awaited<ReturnType<typeof entry>>) => void, string]> = [
      [
        'flipped proof hash',
        (x) => (x.e.verification!.inclusionProof!.hashes[1] = 'ff'.repeat(32)),
        'Inclusion proof leads to the root hash',
      ],
      [
        'other body',
        (x) => (x.e.body = Buffer.from('evil').toString('base64')),
        'Entry ID is the leaf hash of the body,Inclusion proof leads to the root hash,Signed entry timestamp is valid',
      ],
      ['moved time', (x) => (x.e.integratedTime += 1), 'Signed entry timestamp is valid'],
      [
        'forged checkpoint signature',
        (x) => {
          const p = x.e.verification!.inclusionProof!;
          p.checkpoint = p.checkpoint.replace(/ (\S{8})\S{8}/, ' $1AAAAAAAA');
        },
        "Checkpoint is signed by the log's key",
      ],
    ];
    for (const [what, tamper, failing] of cases) {
      const x = await entry();
      tamper(x);
      const failed = (await verifyEntry(x.id, x.e, x.key)).filter((c) => !c.ok).map((c) => c.name);
      assert.deepEqual(failed, failing.split(','), what);
    }
  });

  it('reports a missing proof without throwing', async () => {
    const { e, key, id } = await entry();
    delete e.verification;
    const checks = await verifyEntry(id, e, key);
    assert.equal(checks.filter((c) => !c.ok).length, 4);
    assert.ok(checks.every((c) => typeof c.detail === 'string'));
  });

  it('uses hex helpers that round-trip', () => {
    assert.equal(toHex(fromHex('00ff10')), '00ff10');
    assert.throws(() => fromHex('0g'), /not hex/);
  });
});
