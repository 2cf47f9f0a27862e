import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { crc24, goArmor } from '../../src/crypto/pgp-armor.js';
import { userIdEmail } from '../../src/crypto/pgp-entity.js';
import { serializePacket, splitPackets } from '../../src/crypto/pgp-packets.js';
import {
  canonicalPgpPublicKeys,
  parsePgpPublicKeys,
  parsePgpSignature,
  verifyPgpDetached,
} from '../../src/crypto/pgp.js';
import { fixture } from '../log/types/tools.js';

test('CRC-24 and Go armor layout', () => {
  assert.equal(crc24(Buffer.alloc(0)), 0xb704ce);
  // RFC 4880 §6.1 CRC over "123456789" is 0x21cf02.
  assert.equal(crc24(Buffer.from('123456789')), 0x21cf02);
  const data = Buffer.alloc(48 * 2, 7); // exactly two 64-column lines
  const text = goArmor('PGP SIGNATURE', data);
  const lines = text.split('\n');
  assert.deepEqual(lines.slice(0, 2), ['-----BEGIN PGP SIGNATURE-----', '']);
  assert.equal(lines[2]!.length, 64);
  assert.equal(lines[3]!.length, 64);
  assert.match(lines[4]!, /^=[A-Za-z0-9+/]{4}$/);
  assert.equal(lines[5], '-----END PGP SIGNATURE-----');
  assert.equal(lines.length, 6, 'no trailing newline');
});

test('packets split from old- and new-format headers and re-serialize with new-format headers', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ tag: fc.integer({ min: 1, max: 63 }), len: fc.integer({ min: 0, max: 9000 }) }), {
        maxLength: 5,
      }),
      (specs) => {
        const packets = specs.map((s) => ({ tag: s.tag, body: Buffer.alloc(s.len, s.tag) }));
        const bytes = Buffer.concat(packets.map(serializePacket));
        assert.deepEqual(splitPackets(bytes), packets);
      },
    ),
  );
  // Old format: tag 2, one-byte length.
  assert.deepEqual(splitPackets(Buffer.from([0x88, 2, 9, 9])), [{ tag: 2, body: Buffer.from([9, 9]) }]);
  assert.throws(() => splitPackets(Buffer.from([0x88, 5, 1])), /truncated/);
});

test("Rekor's PGP fixtures: armored and binary keys canonicalize alike; signatures verify", async () => {
  const armored = await parsePgpPublicKeys(fixture('pgp', 'valid_armored_public.pgp'));
  const binary = await parsePgpPublicKeys(fixture('pgp', 'valid_binary_public.pgp'));
  assert.equal(armored.canonical, binary.canonical);
  assert.equal(
    canonicalPgpPublicKeys(Buffer.from(armored.canonical, 'latin1')).canonical,
    armored.canonical,
    'a fixed point',
  );
  const content = fixture('pgp', 'hello_world.txt');
  for (const name of ['hello_world.txt.sig', 'hello_world.txt.asc.sig']) {
    const sig = await parsePgpSignature(fixture('pgp', name));
    assert.ok(await verifyPgpDetached(sig, armored, content), name);
    assert.ok(!(await verifyPgpDetached(sig, armored, Buffer.from('other'))), name);
  }
  const complex = await parsePgpPublicKeys(fixture('pgp', 'valid_armored_complex_public.pgp'));
  const complexBinary = await parsePgpPublicKeys(fixture('pgp', 'valid_binary_complex_public.pgp'));
  assert.equal(complex.canonical, complexBinary.canonical);
  assert.ok(complex.emails.length > 0);
});

test("user IDs: Go's parser for the e-mail part; IDs without a self-signature are dropped like Go does", async () => {
  const cases: [string, string][] = [
    ['Alice <alice@example.com>', 'alice@example.com'],
    ['Alice (work) <alice@example.com>', 'alice@example.com'],
    ['alice@example.com', 'alice@example.com'],
    ['Alice (x<y) <a@b.c>', 'a@b.c'],
    ['Alice (no email)', ''],
    ['Alice <unterminated@example.com', 'unterminated@example.com'],
  ];
  for (const [id, email] of cases) assert.equal(userIdEmail(id), email, id);
  const binary = fixture('pgp', 'valid_binary_public.pgp');
  const packets = splitPackets(binary);
  const unsigned = { tag: 13, body: Buffer.from('Nobody <nobody@example.com>') };
  const withUnsigned = Buffer.concat([packets[0]!, unsigned, ...packets.slice(1)].map(serializePacket));
  const before = canonicalPgpPublicKeys(binary);
  const after = canonicalPgpPublicKeys(withUnsigned);
  assert.equal(after.canonical, before.canonical);
  assert.deepEqual(after.userIds, before.userIds);
});
