import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeTlv, generalNames, subjectAltNames, TAG } from '../../src/encoding/index.js';
import { isSignetError } from '../../src/errors.js';
import { conformanceDir } from '../helpers/env.js';

// GeneralName choices (RFC 5280 4.2.1.6), context-tagged: [1] rfc822Name, [2] dNSName, [6] URI, [7] iPAddress,
// [0] otherName.
const email = (s: string) => encodeTlv(0x81, Buffer.from(s, 'latin1'));
const dns = (s: string) => encodeTlv(0x82, Buffer.from(s, 'latin1'));
const uri = (s: string) => encodeTlv(0x86, Buffer.from(s, 'latin1'));
const ip = (bytes: number[]) => encodeTlv(0x87, Buffer.from(bytes));
const FULCIO_USERNAME = Buffer.from('2b0601040183bf300107', 'hex'); // 1.3.6.1.4.1.57264.1.7
const OTHER_OID = Buffer.from('2b0601040183bf300101', 'hex'); // 1.3.6.1.4.1.57264.1.1
const otherName = (oid: Buffer, value: string) =>
  encodeTlv(
    0xa0,
    Buffer.concat([encodeTlv(TAG.oid, oid), encodeTlv(0xa0, encodeTlv(TAG.utf8String, Buffer.from(value)))]),
  );
const names = (...n: Buffer[]) => encodeTlv(TAG.sequence, Buffer.concat(n));
const invalid = (e: unknown) => isSignetError(e, 'invalid-input');

test("cryptoutils' order: DNS, emails, IPs, URIs, then Fulcio's OtherName, whatever order the certificate has", () => {
  const value = names(
    uri('https://github.com/o/r/.github/workflows/w.yml@refs/heads/main'),
    otherName(FULCIO_USERNAME, 'alice!example.com'),
    email('alice@example.com'),
    ip([10, 0, 0, 1]),
    dns('example.com'),
  );
  assert.deepEqual(generalNames(value), [
    'example.com',
    'alice@example.com',
    '10.0.0.1',
    'https://github.com/o/r/.github/workflows/w.yml@refs/heads/main',
    'alice!example.com',
  ]);
});

test("IP addresses as Go's net.IP.String() writes them", () => {
  const v6 = (hex: string) => ip([...Buffer.from(hex, 'hex')]);
  assert.deepEqual(
    generalNames(
      names(
        v6('20010db8000000000000000000000001'),
        v6('00000000000000000000ffff01020304'),
        v6('20010db8000100020003000400050006'),
        v6('20010db8000000010000000000000001'),
      ),
    ),
    ['2001:db8::1', '1.2.3.4', '2001:db8:1:2:3:4:5:6', '2001:db8:0:1::1'],
  );
});

test("the OtherName counts only when it is the one OtherName and Fulcio's (UnmarshalOtherNameSAN)", () => {
  const fulcio = otherName(FULCIO_USERNAME, 'alice!example.com');
  assert.deepEqual(generalNames(names(fulcio)), ['alice!example.com']);
  assert.deepEqual(generalNames(names(fulcio, fulcio)), []);
  assert.deepEqual(generalNames(names(otherName(OTHER_OID, 'x'))), []);
  assert.deepEqual(generalNames(names(fulcio, otherName(OTHER_OID, 'x'), email('a@b.c'))), ['a@b.c']);
});

test("what Go's x509 parser refuses is invalid-input: non-ASCII names, odd IP lengths, trailing bytes", () => {
  assert.throws(() => generalNames(names(email('al\xefce@example.com'))), invalid);
  assert.throws(() => generalNames(names(ip([1, 2, 3, 4, 5]))), invalid);
  assert.throws(() => generalNames(Buffer.concat([names(email('a@b.c')), Buffer.from([0])])), invalid);
  assert.throws(() => generalNames(encodeTlv(TAG.set, email('a@b.c'))), invalid);
});

test('a real Fulcio certificate: its one SAN; a CA certificate without the extension has none', () => {
  const read = (path: string) => JSON.parse(readFileSync(join(conformanceDir, path), 'utf8'));
  const bundle = read('bundle-verify/happy-path-v0.1/bundle.sigstore.json');
  const leaf = Buffer.from(bundle.verificationMaterial.x509CertificateChain.certificates[0].rawBytes, 'base64');
  assert.deepEqual(subjectAltNames(leaf), [
    'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main',
  ]);
  const root = read('production_trusted_root.json').certificateAuthorities[0].certChain.certificates[0].rawBytes;
  assert.deepEqual(subjectAltNames(Buffer.from(root, 'base64')), []);
});
