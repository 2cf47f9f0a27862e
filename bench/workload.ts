/** What the log benchmarks share: the same-run baseline, signed hashedrekord entries, percentiles. */
import { createHash, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

/** Raw node:crypto ECDSA P-256 verifies per second on this (one) core: the baseline the log figures divide by. */
export function p256VerifyBaseline(): number {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = randomBytes(32);
  const sig = sign('sha256', data, privateKey);
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < 1000) {
    for (let i = 0; i < 100; i++) verify('sha256', data, publicKey, sig);
    n += 100;
  }
  return n / ((performance.now() - start) / 1000);
}

export interface BenchKey {
  privateKey: KeyObject;
  /** Base64 of the PEM public key, as a hashedrekord carries it. */
  pem64: string;
}

export function benchKeys(n: number): BenchKey[] {
  return Array.from({ length: n }, () => {
    const k = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    return { privateKey: k.privateKey, pem64: Buffer.from(pem).toString('base64') };
  });
}

/** A proposed hashedrekord 0.0.1 entry for a fresh random artifact signed with `key`. */
export function hashedRekordEntry(key: BenchKey, artifactBytes = 64) {
  const artifact = randomBytes(artifactBytes);
  return {
    kind: 'hashedrekord',
    apiVersion: '0.0.1',
    spec: {
      signature: {
        content: sign('sha256', artifact, key.privateKey).toString('base64'),
        publicKey: { content: key.pem64 },
      },
      data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(artifact).digest('hex') } },
    },
  };
}

/** `n` pre-signed request bodies over a few keys, so timed runs measure the server only. */
export function hashedRekordBodies(n: number, keyCount = 16): Buffer[] {
  const keys = benchKeys(keyCount);
  return Array.from({ length: n }, (_, i) => Buffer.from(JSON.stringify(hashedRekordEntry(keys[i % keyCount]!))));
}

/** The p-quantile of ascending samples. */
export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

/** `n` pre-signed Rekor v2 `CreateEntryRequest` bodies (hashedrekord 0.0.2, DER public keys) over a few keys. */
export function hashedRekordV2Bodies(n: number, keyCount = 16): Buffer[] {
  const keys = Array.from({ length: keyCount }, () => generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  return Array.from({ length: n }, (_, i) => {
    const key = keys[i % keyCount]!;
    const artifact = randomBytes(64);
    const request = {
      hashedRekordRequestV002: {
        digest: createHash('sha256').update(artifact).digest('base64'),
        signature: {
          content: sign('sha256', artifact, key.privateKey).toString('base64'),
          verifier: {
            publicKey: { rawBytes: key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') },
            keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          },
        },
      },
    };
    return Buffer.from(JSON.stringify(request));
  });
}
