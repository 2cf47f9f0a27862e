/**
 * hashedrekord admission throughput on one core, against the floor it cannot beat: one raw node:crypto ECDSA
 * P-256 verify. Admission = JSON shape checks + base64 + PEM key parse + one digest verify + canonical JSON + index
 * keys, so the ratio says how much the entry-type layer costs on top of the signature check.
 *
 *   npx tsx bench/entry-types.ts            (or: npm run build && node dist/bench/entry-types.js)
 */
import { execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admitEntry } from '../src/log/types/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);

async function rate(name: string, fn: () => unknown): Promise<number> {
  for (let i = 0; i < 200; i++) await fn(); // warm up
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
  }
  const perSecond = n / SECONDS;
  console.log(`${name.padEnd(48)} ${perSecond.toFixed(0).padStart(8)} /s`);
  return perSecond;
}

function proposal(pem: string, sig: Buffer, digest: Buffer) {
  return {
    kind: 'hashedrekord',
    apiVersion: '0.0.1',
    spec: {
      data: { hash: { algorithm: 'sha256', value: digest.toString('hex') } },
      signature: { content: sig.toString('base64'), publicKey: { content: Buffer.from(pem).toString('base64') } },
    },
  };
}

async function main() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const artifact = Buffer.from('benchmark artifact');
  const digest = createHash('sha256').update(artifact).digest();
  const sig = sign('sha256', artifact, privateKey);
  const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
  const entry = proposal(pem, sig, digest);
  await admitEntry(entry); // must be valid before timing it

  console.log(`one core, ${SECONDS}s per measurement, node ${process.version}`);
  const raw = await rate('node:crypto ECDSA P-256 verify (raw)', () => verify('sha256', artifact, publicKey, sig));
  const admit = await rate('admitEntry hashedrekord, P-256 public key', () => admitEntry(entry));
  const text = JSON.stringify(entry);
  const parsed = await rate('admitEntry from JSON text (JSON.parse included)', () => admitEntry(JSON.parse(text)));
  // A new key every time (more distinct keys than the parsed-key cache holds): the cost of importing each key.
  const fresh = Array.from({ length: 8192 }, () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return proposal(
      pair.publicKey.export({ type: 'spki', format: 'pem' }) as string,
      sign('sha256', artifact, pair.privateKey),
      digest,
    );
  });
  let i = 0;
  const cold = await rate('admitEntry hashedrekord, a new key each time', () => admitEntry(fresh[i++ % fresh.length]));
  const certificate = await certificateRate(artifact, digest);
  const ratio = (n: number | undefined) => (n === undefined ? 'n/a' : (n / raw).toFixed(2));
  console.log(
    `admits/s vs raw verifies/s: same key ${ratio(admit)}, from JSON text ${ratio(parsed)}, new keys ${ratio(cold)}, ` +
      `same certificate ${ratio(certificate)}`,
  );
}

/** A certificate signer (keyless-style entries) made with openssl, when it is installed. */
async function certificateRate(artifact: Buffer, digest: Buffer): Promise<number | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-'));
  try {
    const key = join(dir, 'k.pem');
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key], { stdio: 'ignore' });
    const san = 'subjectAltName=email:bench@example.com';
    const cert = execFileSync('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-subj',
      '/CN=b',
      '-days',
      '1',
      '-addext',
      san,
    ]);
    const entry = proposal(cert.toString(), sign('sha256', artifact, readFileSync(key, 'utf8')), digest);
    await admitEntry(entry);
    return await rate('admitEntry hashedrekord, certificate (cached)', () => admitEntry(entry));
  } catch {
    console.log('(openssl not available: certificate measurement skipped)');
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
