import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { emptyRoot, leafHash, rootHash, verifyConsistency, verifyInclusion } from '../../src/merkle/index.js';
import { fixturesDir } from '../helpers/env.js';

// transparency-dev/merkle testdata (vendored in test/fixtures/merkle): each happy case plus mutated ones.
const vectorDir = join(fixturesDir, 'merkle');

function jsonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? jsonFiles(p) : name.endsWith('.json') ? [p] : [];
  });
}

const b64 = (s: string | null) => Buffer.from(s ?? '', 'base64');

test('transparency-dev inclusion vectors', () => {
  const files = jsonFiles(join(vectorDir, 'inclusion'));
  assert.ok(files.length >= 90, `found ${files.length} inclusion vectors`);
  for (const f of files) {
    const v = JSON.parse(readFileSync(f, 'utf8'));
    const ok = verifyInclusion(b64(v.leafHash), v.leafIdx, v.treeSize, (v.proof ?? []).map(b64), b64(v.root));
    assert.equal(ok, !v.wantErr, `${f}: ${v.desc}`);
  }
});

test('transparency-dev consistency vectors', () => {
  const files = jsonFiles(join(vectorDir, 'consistency'));
  assert.ok(files.length >= 90, `found ${files.length} consistency vectors`);
  for (const f of files) {
    const v = JSON.parse(readFileSync(f, 'utf8'));
    const ok = verifyConsistency(v.size1, v.size2, (v.proof ?? []).map(b64), b64(v.root1), b64(v.root2));
    assert.equal(ok, !v.wantErr, `${f}: ${v.desc}`);
  }
});

// RFC 6962 test leaves (transparency-dev/merkle testonly/constants.go) and the roots of their prefixes.
const rfcLeaves = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const rfcRoots = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

test('RFC 6962 roots for the 8 test leaves', () => {
  assert.equal(emptyRoot().toString('hex'), rfcRoots[0]);
  const hashes = rfcLeaves.map((h) => leafHash(Buffer.from(h, 'hex')));
  for (let n = 0; n <= 8; n++) assert.equal(rootHash(hashes.slice(0, n)).toString('hex'), rfcRoots[n], `size ${n}`);
});

test("Rekor's golden inclusion and consistency vector (rekor pkg/verify)", () => {
  const leaf = Buffer.from('d3be742c8d73e2dd3c5635843e987ad3dfb3837616f412a07bf730c3ad73f5cb', 'hex');
  const sibling = Buffer.from('59a575f157274702c38de3ab1e1784226f391fb79500ebf9f02b4439fb77574c', 'hex');
  const root = Buffer.from('5be1758dd2228acfaf2546b4b6ce8aa40c82a3748f3dcb550e0d67ba34f02a45', 'hex');
  assert.ok(verifyInclusion(leaf, 1, 2, [sibling], root));
  assert.ok(!verifyInclusion(leaf, 0, 2, [sibling], root));
  assert.ok(verifyConsistency(1, 2, [leaf], sibling, root));
});
