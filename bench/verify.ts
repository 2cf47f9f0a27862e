/**
 * Bundle verification throughput on one core: signet's verifyBundle against @sigstore/verify (Verifier +
 * toTrustMaterial + toSignedEntity) on the same real bundles of the sigstore-conformance corpus, in one run.
 * Both parse the bundle JSON and check everything (SET or TSA, inclusion proof and checkpoint, certificate chain,
 * SCT, tlog body, signature, identity) each time; both build their trust material once.
 * Prints each figure and the ratio: CPU time of alternating windows, the median of their ratios.
 *
 *   npx tsx bench/verify.ts            (or: npm run build && node dist/bench/verify.js)
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { parseBundle, parseTrustedRoot } from '../src/bundle/index.js';
import { trustMaterial, verifyBundle } from '../src/verify/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const here = fileURLToPath(new URL('.', import.meta.url));
// The sigstore-conformance corpus the tests vendor (test/fixtures/conformance/SOURCE.md), so a clone anywhere runs it.
const conformance = join(here, '..', '..', 'test', 'fixtures', 'conformance');
const corpus = join(conformance, 'bundle-verify');
const ID =
  'https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main';
const ISSUER = 'https://token.actions.githubusercontent.com';

/** Real production (Rekor v1, SET + proof) and staging (Rekor v2, TSA) bundles that both verifiers accept. */
const CASES = [
  'happy-path-v0.1',
  'happy-path-v0.2',
  'happy-path-v0.3',
  'happy-path-v0.3-new-mediaType',
  'happy-path-intoto-in-dsse-v3',
  'rekor2-happy-path',
];

const cases = CASES.map((name) => {
  const dir = join(corpus, name);
  const rootPath = existsSync(join(dir, 'trusted_root.json'))
    ? join(dir, 'trusted_root.json')
    : join(conformance, 'production_trusted_root.json');
  const rootJson = JSON.parse(readFileSync(rootPath, 'utf8'));
  return {
    name,
    text: readFileSync(join(dir, 'bundle.sigstore.json'), 'utf8'),
    artifact: readFileSync(join(corpus, 'a.txt')),
    signet: trustMaterial(parseTrustedRoot(rootJson)),
    sigstore: new Verifier(toTrustMaterial(TrustedRoot.fromJSON(rootJson)), {
      tlogThreshold: 1,
      ctlogThreshold: 1,
      timestampThreshold: 1,
    }),
  };
});

function signetOnce(c: (typeof cases)[number]): void {
  verifyBundle(parseBundle(JSON.parse(c.text)), c.signet, {
    artifact: { bytes: c.artifact },
    policy: { identity: { exact: ID }, issuer: { exact: ISSUER } },
  });
}

function sigstoreOnce(c: (typeof cases)[number]): void {
  const entity = toSignedEntity(bundleFromJSON(JSON.parse(c.text)), c.artifact);
  c.sigstore.verify(entity, { subjectAlternativeName: ID, extensions: { issuer: ISSUER } });
}

/**
 * Bundles per CPU-second of this process over one round of every case. CPU time, not wall time: the machine is
 * shared, and a verifier that is descheduled mid-round should not look slower than it is.
 */
function roundRate(once: (c: (typeof cases)[number]) => void, rounds: number): number {
  const start = process.cpuUsage();
  for (let r = 0; r < rounds; r++) for (const c of cases) once(c);
  const used = process.cpuUsage(start);
  return (rounds * cases.length) / ((used.user + used.system) / 1e6);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (let i = 0; i < 3; i++) {
  cases.forEach(sigstoreOnce); // warm up, and prove every case verifies in both
  cases.forEach(signetOnce);
}
// Alternate short windows of each so both see the same machine; the ratio is the median of the per-window ratios.
const sigstoreRates: number[] = [];
const signetRates: number[] = [];
const ratios: number[] = [];
const end = performance.now() + SECONDS * 1000;
while (performance.now() < end || ratios.length < 3) {
  const a = roundRate(sigstoreOnce, 1);
  const b = roundRate(signetOnce, 8);
  sigstoreRates.push(a);
  signetRates.push(b);
  ratios.push(b / a);
}
console.log(`bundles: ${cases.map((c) => c.name).join(', ')} (JSON parse included)`);
console.log(`@sigstore/verify 4.1.3: ${median(sigstoreRates).toFixed(0)} bundles per CPU-second`);
console.log(`signet verifyBundle: ${median(signetRates).toFixed(0)} bundles per CPU-second`);
console.log(`ratio: ${median(ratios).toFixed(2)}x @sigstore/verify (median of ${ratios.length} alternating windows)`);
