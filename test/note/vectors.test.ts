import assert from 'node:assert/strict';
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  cosignatureTimestamp,
  cosignatureV1Signer,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatSignerKey,
  formatVerifierKey,
  openNote,
  parseCheckpoint,
  parseSignerKey,
  parseVerifierKey,
  rekorNoteVerifier,
  signNote,
} from '../../src/note/index.js';
import { conformanceDir } from '../helpers/env.js';

// Vectors from golang.org/x/mod sumdb/note note_test.go, C2SP signed-note.md, transparency-dev/formats
// note_verifier_test.go and a real sum.golang.org tree head (all listed in tlog-anchors.md §3.2).
const peter = {
  skey: 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz',
  vkey: 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
};
const quote = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const peterSig =
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const enochVkey = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const enochSig =
  '\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

test('golang sumdb/note: Ed25519 skey/vkey, deterministic signature, two signers', () => {
  const { name, keyHash, privateKey } = parseSignerKey(peter.skey);
  assert.equal(name, 'PeterNeumann');
  assert.equal(keyHash, 0xc74f20a3);
  assert.equal(formatSignerKey(name, privateKey), peter.skey);
  assert.equal(formatVerifierKey(name, createPublicKey(privateKey)), peter.vkey);
  const signed = signNote(quote, [ed25519NoteSigner(name, privateKey)]);
  assert.equal(signed, `${quote}\n${peterSig}`);

  const both = `${quote}\n${peterSig}${enochSig}`;
  const opened = openNote(both, [parseVerifierKey(peter.vkey), parseVerifierKey(enochVkey)]);
  assert.equal(opened.text, quote);
  assert.deepEqual(
    opened.signatures.map((s) => [s.name, s.verified]),
    [
      ['PeterNeumann', true],
      ['EnochRoot', true],
    ],
  );
  // Only one key known: the other signature is returned unverified.
  const one = openNote(both, [parseVerifierKey(enochVkey)]);
  assert.deepEqual(
    one.signatures.map((s) => s.verified),
    [false, true],
  );
  assert.throws(() => openNote(`${quote}\n${peterSig}`, [parseVerifierKey(enochVkey)]), {
    code: 'verification-failed',
  });
});

test('C2SP signed-note example and a real sum.golang.org tree head', () => {
  const c2sp = parseVerifierKey('example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k');
  const sig = 'Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=';
  openNote(`This is an example message.\n\n\u2014 example.com/foo ${sig}\n`, [c2sp]);

  const sumdb = parseVerifierKey('sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8');
  const text = 'go.sum database tree\n65664258\nWVVNVD2qx+fTq31zkj6UAqxT5X6HvGphGM+o8Thnbsg=\n';
  const note = `${text}\n\u2014 sum.golang.org Az3grligJmgX7KGyGPKybykNTh3VgsbLvUuvOwrM5zLVlulmFp2wdvbxOw74/gcNxURShXEpb7RXcs3+BYflYN+w0gQ=\n`;
  assert.equal(openNote(note, [sumdb]).text, text);
  const cp = parseCheckpoint(text);
  assert.equal(cp.origin, 'go.sum database tree');
  assert.equal(cp.size, 65664258);
});

test('transparency-dev/formats ECDSA (type 0x02) Rekor key verifies a Rekor checkpoint', () => {
  const v = parseVerifierKey(
    'rekor.sigstore.dev+c0d23d6a+AjBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABNhtmPtrWm3U1eQXBogSMdGvXwBcK5AW5i0hrZLOC96l+smGNM7nwZ4QvFK/4sueRoVj//QP22Ni4Qt9DPfkWLc=',
  );
  const note =
    'Rekor\n798034\nf+7CoKgXKE/tNys9TTXcr/ad6U/K3xvznmzew9y6SP0=\n\n\u2014 rekor.sigstore.dev wNI9ajBEAiARInWIWyCdyG27CO6LPnPekyw20qO0YJfoaPaowGp/XgIgc+qEHS3+GKVClgqq20uDLet7MCoTURUCRdxwWBHHufk=\n';
  assert.equal(openNote(note, [v]).signatures[0]!.verified, true);
  assert.throws(() => openNote(note.replace('798034', '798035'), [v]), { code: 'verification-failed' });
});

test('tlog-cosignature v1: the Wit1 vector from tlog-anchors.md and a round trip', () => {
  const { privateKey } = parseSignerKey('PRIVATE+KEY+Wit1+55ee4561+AeadRiG7XM4XiieCHzD8lxysXMwcViy5nYsoXURWGrlE');
  const cosigner = cosignatureV1Signer('Wit1', privateKey, { now: () => 1679315147 });
  assert.equal(
    formatVerifierKey('Wit1', createPublicKey(privateKey), 0x04),
    'Wit1+9b3fb2d5+BFhZSmQj9+SoL+p/nN0Hh76xXmF7QcHfytUrI1XfSClk',
  );
  const text = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
  const signed = signNote(text, [cosigner]);
  const line = signed.split('\n\n')[1]!;
  assert.equal(
    line,
    '\u2014 Wit1 mz+y1QAAAABkGFDLM1oW1Cge43o711GHdmI8QPG1MhuOkQO1kJrg6IUc0qRplRuA9XSmt/d3Y7NujslnO7vHC5/XpLwYsn8xvJ8eAQ==\n',
  );
  const opened = openNote(signed, [parseVerifierKey('Wit1+9b3fb2d5+BFhZSmQj9+SoL+p/nN0Hh76xXmF7QcHfytUrI1XfSClk')]);
  assert.equal(cosignatureTimestamp(opened.signatures[0]!.signature), 1679315147);
  // The timestamp is signed: changing it breaks the signature.
  const sig = Buffer.from(line.split(' ')[2]!, 'base64');
  sig.writeUInt32BE(sig.readUInt32BE(8) + 1, 8);
  const forged = `${text}\n\u2014 Wit1 ${sig.toString('base64')}\n`;
  assert.throws(() =>
    openNote(forged, [parseVerifierKey('Wit1+9b3fb2d5+BFhZSmQj9+SoL+p/nN0Hh76xXmF7QcHfytUrI1XfSClk')]),
  );
});

test("real Rekor v1 and v2 checkpoints from the conformance bundles verify with their logs' keys", () => {
  const dir = join(conformanceDir, 'bundle-verify');
  const checked = { ec: 0, ed25519: 0 };
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, 'bundle.sigstore.json');
    if (name.endsWith('_fail') || !existsSync(file)) continue;
    const own = join(dir, name, 'trusted_root.json');
    const keys = tlogKeys(existsSync(own) ? own : join(conformanceDir, 'production_trusted_root.json'));
    for (const e of JSON.parse(readFileSync(file, 'utf8')).verificationMaterial?.tlogEntries ?? []) {
      const key = keys.get(e.logId.keyId);
      const envelope: string | undefined = e.inclusionProof?.checkpoint?.envelope;
      if (!key || !envelope) continue;
      const cp = parseCheckpoint(envelope.slice(0, envelope.indexOf('\n\n') + 1));
      // v1 signs as the hostname before " - <treeID>" with the SPKI key hash; v2 as the origin with the C2SP ID.
      const verifier =
        key.asymmetricKeyType === 'ed25519'
          ? ed25519NoteVerifier(cp.origin, key)
          : rekorNoteVerifier(cp.origin.split(' - ')[0]!, key);
      const opened = openNote(envelope, [verifier]);
      assert.ok(
        opened.signatures.some((s) => s.verified),
        name,
      );
      assert.equal(String(cp.size), e.inclusionProof.treeSize);
      assert.equal(cp.rootHash.toString('base64'), e.inclusionProof.rootHash);
      const tampered = envelope.replace(/\n\d+\n/, (m) => `\n${Number(m.trim()) + 1}\n`);
      assert.throws(() => openNote(tampered, [verifier]), { code: 'verification-failed' });
      checked[key.asymmetricKeyType === 'ed25519' ? 'ed25519' : 'ec']++;
    }
  }
  assert.ok(checked.ec >= 5 && checked.ed25519 >= 3, `checked ${JSON.stringify(checked)} checkpoints`);
});

function tlogKeys(trustedRootFile: string): Map<string, KeyObject> {
  const root = JSON.parse(readFileSync(trustedRootFile, 'utf8'));
  const keys = new Map<string, KeyObject>();
  for (const l of root.tlogs ?? []) {
    const der = Buffer.from(l.publicKey.rawBytes, 'base64');
    keys.set(l.logId.keyId, createPublicKey({ key: der, format: 'der', type: 'spki' }));
  }
  return keys;
}
