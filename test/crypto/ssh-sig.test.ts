import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { marshalAuthorizedKey, parseAuthorizedKey } from '../../src/crypto/ssh-key.js';
import { marshalSshSignature, parseSshSignature, sshSignedData, verifySshSignature } from '../../src/crypto/ssh-sig.js';
import { requireProgram } from '../helpers/env.js';
import { fixture, run } from '../log/types/tools.js';

const dearmor = (text: string) => Buffer.from(text.replace(/-----[^-]+-----|\s/g, ''), 'base64');

test('SSHSIG from ssh-keygen parses, round-trips and verifies for each key type and hash', async (t) => {
  if (!requireProgram(t, 'ssh-keygen', '-?')) return;
  const dir = mkdtempSync(join(tmpdir(), 'signet-ssh-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'msg');
  writeFileSync(file, 'message to sign');
  for (const [type, bits] of [
    ['ed25519', ''],
    ['ecdsa', '384'],
    ['ecdsa', '521'],
    ['rsa', '2048'],
  ]) {
    for (const hash of ['sha512', 'sha256']) {
      const key = join(dir, `id_${type}${bits}_${hash}`);
      run('ssh-keygen', ['-q', '-t', type!, ...(bits ? ['-b', bits] : []), '-N', '', '-C', 'c', '-f', key]);
      run('ssh-keygen', ['-Y', 'sign', '-n', 'file', '-O', `hashalg=${hash}`, '-f', key, file]);
      const raw = dearmor(readFileSync(`${file}.sig`, 'utf8'));
      rmSync(`${file}.sig`);
      const sig = parseSshSignature(raw);
      assert.equal(sig.hashAlgorithm, hash);
      assert.equal(sig.namespace, 'file');
      assert.deepEqual(marshalSshSignature(sig), raw, 'byte-exact round trip');
      const pub = parseAuthorizedKey(readFileSync(`${key}.pub`, 'utf8'));
      assert.equal(marshalAuthorizedKey(pub), readFileSync(`${key}.pub`, 'utf8').replace(/ c\n$/, '\n'));
      assert.ok(
        verifySshSignature(pub, sig, sshSignedData(sig, Buffer.from('message to sign'))),
        `${type}${bits} ${hash}`,
      );
      assert.ok(!verifySshSignature(pub, sig, sshSignedData(sig, Buffer.from('other message'))));
    }
  }
});

test("Rekor's RSA SSHSIG fixture verifies with its key and not with another message", () => {
  const sig = parseSshSignature(dearmor(fixture('ssh', 'hello_world.txt.sig').toString()));
  const key = parseAuthorizedKey(fixture('ssh', 'id_rsa.pub').toString());
  assert.equal(key.comment, 'test@rekor.dev');
  assert.ok(verifySshSignature(key, sig, sshSignedData(sig, fixture('ssh', 'hello_world.txt'))));
  assert.ok(!verifySshSignature(key, sig, sshSignedData(sig, Buffer.from('nope'))));
});

test('truncated or random SSHSIG bytes throw an Error, never hang', () => {
  const raw = dearmor(fixture('ssh', 'hello_world.txt.sig').toString());
  fc.assert(
    fc.property(fc.nat({ max: raw.length - 1 }), (n) => {
      assert.throws(() => parseSshSignature(raw.subarray(0, n)), Error);
    }),
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      try {
        parseSshSignature(Buffer.concat([Buffer.from('SSHSIG'), Buffer.from(bytes)]));
      } catch (e) {
        assert.ok(e instanceof Error);
      }
    }),
  );
  for (const bad of ['', '# only a comment', 'ssh-ed25519', 'ssh-ed25519 AAAA', 'ssh-dss AAAAB3NzaC1kc3M= x']) {
    assert.throws(() => parseAuthorizedKey(bad), Error);
  }
});
