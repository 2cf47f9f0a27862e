import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptChain } from '../../src/ct/chain.js';
import { SignetError } from '../../src/errors.js';
import { makeLeaf, makePki, type CaAlgorithm } from './pki.js';

const ALGORITHMS: [string, CaAlgorithm][] = [
  ['ECDSA P-256', { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' }],
  ['ECDSA P-384', { name: 'ECDSA', namedCurve: 'P-384', hash: 'SHA-384' }],
  ['ECDSA P-521', { name: 'ECDSA', namedCurve: 'P-521', hash: 'SHA-512' }],
  [
    'RSA PKCS#1 SHA-256',
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
  ],
  [
    'RSA PKCS#1 SHA-384',
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
  ],
  ['Ed25519', { name: 'Ed25519' }],
];

/** The offset of the signature BIT STRING's unused-bits byte: the last element of the certificate SEQUENCE. */
function signatureBitString(der: Buffer): number {
  // Certificate ::= SEQUENCE { tbs, algorithm, BIT STRING }: walk the three children.
  let pos = der[1]! & 0x80 ? 2 + (der[1]! & 0x7f) : 2;
  for (let child = 0; child < 2; child++) {
    const len = der[pos + 1]!;
    const n = len & 0x80 ? len & 0x7f : 0;
    const value = n ? der.readUIntBE(pos + 2, n) : len;
    pos += 2 + n + value;
  }
  const len = der[pos + 1]!;
  return pos + 2 + (len & 0x80 ? len & 0x7f : 0);
}

const rejected = async (p: Promise<unknown>, what: string) =>
  assert.rejects(p, (e: unknown) => e instanceof SignetError && e.code === 'invalid-input', what);

test('chains signed with each common algorithm are accepted; a bad signature, bit string or algorithm is refused', async () => {
  for (const [name, algorithm] of ALGORITHMS) {
    const pki = await makePki(name, algorithm);
    const precert = await makeLeaf(pki, { poison: true });
    const accepted = await acceptChain([precert, pki.intermediate, pki.root], [pki.root], true);
    assert.equal(accepted.entry.type, 'precert', name);
    const cert = await makeLeaf(pki, {});
    assert.equal((await acceptChain([cert, pki.intermediate], [pki.root], false)).chain.length, 3, name);

    // The same leaf with its signature's last byte changed: the link is not cached, the signature fails.
    const forged = Buffer.from(precert);
    forged[forged.length - 1]! ^= 0x01;
    await rejected(acceptChain([forged, pki.intermediate, pki.root], [pki.root], true), `${name}: forged signature`);

    // Unused bits in the signature BIT STRING (OpenSSL's X509_verify refuses them too).
    const bits = Buffer.from(precert);
    bits[signatureBitString(bits)] = 1;
    await rejected(acceptChain([bits, pki.intermediate, pki.root], [pki.root], true), `${name}: unused bits`);

    // Signed by a different CA whose intermediate has the same name: checkIssued passes, the signature does not.
    const impostor = await makePki(name, algorithm);
    const other = await makeLeaf(impostor, { poison: true });
    await rejected(acceptChain([other, pki.intermediate, pki.root], [pki.root], true), `${name}: wrong issuer key`);
  }
});

test('the outer signature algorithm must equal the one inside the TBS', async () => {
  const pki = await makePki('alg', { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' });
  const precert = await makeLeaf(pki, { poison: true });
  // ecdsa-with-SHA256 (...04 03 02) -> ecdsa-with-SHA384 (...04 03 03) in the outer AlgorithmIdentifier only.
  const oid = Buffer.from('06082a8648ce3d040302', 'hex');
  const outer = precert.lastIndexOf(oid);
  assert.ok(outer > 0 && precert.indexOf(oid) < outer, 'two copies of the algorithm');
  const swapped = Buffer.from(precert);
  swapped[outer + oid.length - 1] = 0x03;
  await rejected(acceptChain([swapped, pki.intermediate, pki.root], [pki.root], true), 'algorithm mismatch');
});
