/**
 * Signature verification over a pre-computed digest (hashedrekord) on one core: the active backend (the OpenSSL
 * addon when built) and the JavaScript fallback, each against raw node:crypto `crypto.verify('sha256', data, key,
 * sig)` over the same short message in the same run. Prints `name: figure (ratio x baseline)`.
 *
 *   npx tsx bench/digest-verify.ts            (or: npm run build && node dist/bench/digest-verify.js)
 */
import { createHash, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { digestVerifyBackend, verifyDigestSignature, type DigestHash } from '../src/crypto/index.js';
import { verifyDigestJs } from '../src/crypto/digest-verify-js.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);

function rate(fn: () => boolean): number {
  for (let i = 0; i < 50; i++) if (!fn()) throw new Error('signature did not verify');
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 20; i++) fn();
    n += 20;
  }
  return n / SECONDS;
}

function line(name: string, perSecond: number, baseline: number): void {
  console.log(
    `${name}: ${perSecond.toFixed(0)} verifies/s (${(perSecond / baseline).toFixed(2)}x raw node:crypto verify)`,
  );
}

function benchKey(label: string, key: { privateKey: KeyObject; publicKey: KeyObject }, hash: DigestHash): void {
  const data = Buffer.from('{"apiVersion":"0.0.1","kind":"hashedrekord"} a short artifact');
  const digest = createHash(hash).update(data).digest();
  const sig = sign(hash, data, key.privateKey);
  const pub = key.publicKey;
  const baseline = rate(() => verify(hash, data, pub, sig));
  console.log(`${label} raw node:crypto verify('${hash}', data): ${baseline.toFixed(0)} verifies/s (1.00x baseline)`);
  line(
    `${label} digest verify, ${digestVerifyBackend()} backend`,
    rate(() => verifyDigestSignature(pub, hash, digest, sig)),
    baseline,
  );
  line(
    `${label} digest verify, js fallback`,
    rate(() => verifyDigestJs(pub, hash, digest, sig)),
    baseline,
  );
}

console.log(`digest verify backend: ${digestVerifyBackend()}`);
benchKey('ECDSA P-256', generateKeyPairSync('ec', { namedCurve: 'P-256' }), 'sha256');
benchKey('ECDSA P-384', generateKeyPairSync('ec', { namedCurve: 'P-384' }), 'sha384');
benchKey('RSA-2048', generateKeyPairSync('rsa', { modulusLength: 2048 }), 'sha256');
