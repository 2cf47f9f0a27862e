import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { SignetError } from '../../src/errors.js';
import {
  ed25519NoteSigner,
  ed25519NoteVerifier,
  formatCheckpoint,
  openNote,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  rekorNoteSigner,
  rekorNoteVerifier,
  signNote,
} from '../../src/note/index.js';

const root = createHash('sha256').update('root').digest();

test('checkpoint format and strict parse', () => {
  const text = formatCheckpoint({
    origin: 'rekor.example - 42',
    size: 10,
    rootHash: root,
    extensions: ['Timestamp: 1'],
  });
  assert.equal(text, `rekor.example - 42\n10\n${root.toString('base64')}\nTimestamp: 1\n`);
  assert.deepEqual(parseCheckpoint(text), {
    origin: 'rekor.example - 42',
    size: 10,
    rootHash: root,
    extensions: ['Timestamp: 1'],
  });
  const b = root.toString('base64');
  for (const bad of [
    '',
    `o\n10\n${b}`,
    `o\n010\n${b}\n`,
    `o\n-1\n${b}\n`,
    `o\n1e3\n${b}\n`,
    `o\n99999999999999999999\n${b}\n`,
    `\n10\n${b}\n`,
    `o\n10\n${b.slice(0, -1)}\n`,
    `o\n10\n${Buffer.alloc(31).toString('base64')}\n`,
    `o\n10\n${b}\n\n`,
    `o\n10\n${b}\n\n\u2014 k AAAA\n`,
    `o\n10\n`,
  ]) {
    assert.throws(() => parseCheckpoint(bad), { code: 'invalid-input' }, JSON.stringify(bad));
  }
  assert.throws(() => formatCheckpoint({ origin: 'a\nb', size: 1, rootHash: root }), /origin/);
  assert.throws(() => formatCheckpoint({ origin: 'a', size: -1, rootHash: root }), /size/);
  assert.throws(() => formatCheckpoint({ origin: 'a', size: 1, rootHash: root.subarray(1) }), /32 bytes/);
});

test('Rekor v1 note keys: P-256, P-384, Ed25519 and RSA sign and verify; key hash is SHA-256(SPKI)[:4]', () => {
  const pairs = [
    generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    generateKeyPairSync('ec', { namedCurve: 'P-384' }),
    generateKeyPairSync('ed25519'),
    generateKeyPairSync('rsa', { modulusLength: 2048 }),
  ];
  for (const { privateKey, publicKey } of pairs) {
    const text = formatCheckpoint({ origin: 'log.example - 7', size: 3, rootHash: root });
    const signer = rekorNoteSigner('log.example', privateKey);
    const spkiHash = createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest();
    assert.equal(signer.keyHash, spkiHash.readUInt32BE(0));
    const note = signNote(text, [signer]);
    assert.match(note, /\n\n\u2014 log\.example [A-Za-z0-9+/=]+\n$/);
    const opened = openNote(note, [rekorNoteVerifier('log.example', publicKey)]);
    assert.equal(opened.text, text);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    assert.throws(() => openNote(note, [rekorNoteVerifier('log.example', other)]), { code: 'verification-failed' });
    assert.throws(() => openNote(note, [rekorNoteVerifier('other.example', publicKey)]), {
      code: 'verification-failed',
    });
    // Same name and key hash but a different text: the known key must verify, so the note is rejected.
    assert.throws(() => openNote(note.replace('\n3\n', '\n4\n'), [rekorNoteVerifier('log.example', publicKey)]), {
      code: 'verification-failed',
    });
  }
});

test('a known key whose signature fails rejects the note even when another verifies', () => {
  const a = generateKeyPairSync('ed25519');
  const b = generateKeyPairSync('ed25519');
  const text = 'hello\n';
  const note = signNote(text, [ed25519NoteSigner('a', a.privateKey), ed25519NoteSigner('b', b.privateKey)]);
  openNote(note, [ed25519NoteVerifier('a', a.publicKey), ed25519NoteVerifier('b', b.publicKey)]);
  const lines = note.split('\n');
  const bLine = lines[3]!.split(' ');
  const sig = Buffer.from(bLine[2]!, 'base64');
  sig[10]! ^= 1;
  lines[3] = `${bLine[0]} ${bLine[1]} ${sig.toString('base64')}`;
  assert.throws(
    () => openNote(lines.join('\n'), [ed25519NoteVerifier('a', a.publicKey), ed25519NoteVerifier('b', b.publicKey)]),
    {
      code: 'verification-failed',
      message: /by b/,
    },
  );
});

test('malformed notes and keys are rejected with invalid-input', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const good = signNote('x\n', [ed25519NoteSigner('k', privateKey)]);
  const v = [ed25519NoteVerifier('k', publicKey)];
  const sigLine = good.split('\n')[2]!;
  for (const bad of [
    'x\n',
    'x\n\n',
    `x\n\n${sigLine}`,
    `x\n\n- k ${sigLine.split(' ')[2]}\n`,
    `x\n\n\u2014 k  ${sigLine.split(' ')[2]}\n`,
    `x\n\n\u2014 k+1 ${sigLine.split(' ')[2]}\n`,
    `x\n\n\u2014 k AAAA\n`,
    `x\n\n\u2014 k ${sigLine.split(' ')[2]}!\n`,
    `x\n\n\u2014 k ${sigLine.split(' ')[2]!.replace(/=*$/, '')}\n`,
    `x\r\n\n${sigLine}\n`,
    `x\u0000\n\n${sigLine}\n`,
    `x\ud800\n\n${sigLine}\n`,
    `x\n\n${`${sigLine}\n`.repeat(101)}`,
  ]) {
    assert.throws(() => openNote(bad, v), { code: 'invalid-input' }, JSON.stringify(bad));
  }
  assert.throws(() => signNote('no newline', []), { code: 'invalid-input' });
  assert.throws(() => signNote('two\n\n', []), { code: 'invalid-input' });
  assert.throws(() => ed25519NoteSigner('has space', privateKey), { code: 'invalid-input' });
  for (const vkey of [
    '',
    'name',
    'name+123+AQ==',
    'name+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeumann+c74f20a3+A3pc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T',
    'rekor.sigstore.dev+c0d23d6a+AjBZMBMGBy',
  ]) {
    assert.throws(() => parseVerifierKey(vkey), SignetError, vkey);
  }
});

test('fuzz: garbage notes only ever raise SignetError', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const good = signNote('origin\n1\n' + root.toString('base64') + '\n', [ed25519NoteSigner('k', privateKey)]);
  const v = [ed25519NoteVerifier('k', publicKey), rekorNoteVerifier('k', publicKey)];
  const mutate = fc
    .tuple(fc.nat(good.length), fc.nat(good.length), fc.string({ maxLength: 8 }))
    .map(([a, b, s]) => good.slice(0, Math.min(a, b)) + s + good.slice(Math.max(a, b)));
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), mutate), (note) => {
      for (const f of [() => openNote(note, v), () => parseNote(note), () => parseCheckpoint(note)]) {
        try {
          f();
        } catch (e) {
          assert.ok(e instanceof SignetError, `${(e as Error).message} for ${JSON.stringify(note)}`);
        }
      }
    }),
    { numRuns: 2000, seed: 42 },
  );
});

test('property: format/parse checkpoint round trip and sign/open round trip', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const signer = ed25519NoteSigner('log.example/x', privateKey);
  const verifier = ed25519NoteVerifier('log.example/x', publicKey);
  fc.assert(
    fc.property(
      // eslint-disable-next-line no-control-regex -- a note's text has no control characters
      fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[\n\u0000-\u001f\u007f\ud800-\udfff]/.test(s)),
      fc.maxSafeNat(),
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      (origin, size, hash) => {
        const text = formatCheckpoint({ origin, size, rootHash: hash });
        const cp = parseCheckpoint(text);
        assert.equal(cp.origin, origin);
        assert.equal(cp.size, size);
        assert.deepEqual(new Uint8Array(cp.rootHash), hash);
        assert.equal(openNote(signNote(text, [signer]), [verifier]).text, text);
      },
    ),
    { numRuns: 200, seed: 7 },
  );
});
