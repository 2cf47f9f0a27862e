/**
 * Certificate issuance throughput over HTTP: POST /api/v2/signingCert with a real token check (RS256 against a
 * JWKS fetched by discovery, then cached), proof of possession, precertificate, CT log SCT, and the final
 * certificate. The floor it is measured against is one raw P-384 ECDSA signature (each certificate costs two of
 * them plus the CT log's P-256 signature).
 *
 *   npx tsx bench/ca.ts            (or: npm run build && node dist/bench/ca.js)
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import pino from 'pino';
import { createCaService, parseIdentityConfig, type CtLog } from '../src/ca/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);

async function startIssuer(): Promise<{ url: string; token: string; close(): void }> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256' }] };
  let url = '';
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === '/.well-known/openid-configuration')
      res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks` }));
    else res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const token = await new SignJWT({ email: 'bench@example.com', email_verified: true })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(url)
    .setSubject('bench')
    .setAudience('sigstore')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
  return { url, token, close: () => server.close() };
}

/** The stack's CT log (src/ct) when it loads; it signs each precertificate entry with its P-256 key. */
async function ctLog(dataDir: string, rootDer: () => Buffer[]): Promise<CtLog & { close(): Promise<void> }> {
  const { createCtLog } = await import('../src/ct/index.js');
  return createCtLog({ dataDir, publicUrl: 'http://127.0.0.1', logger: pino({ level: 'silent' }), roots: rootDer });
}

function rawSignRate(): number {
  const key = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  const tbs = Buffer.alloc(900, 7);
  for (let i = 0; i < 200; i++) sign('sha384', tbs, key);
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  while (performance.now() < end) {
    for (let i = 0; i < 50; i++) sign('sha384', tbs, key);
    n += 50;
  }
  return n / SECONDS;
}

/** Serves a CA (with `ct` or without a CT log) and returns certificates issued per second by concurrent clients. */
async function issueRate(issuer: { url: string; token: string }, withCt: boolean): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-bench-ca-'));
  let roots: Buffer[] = [];
  const ct = withCt ? await ctLog(join(dataDir, 'ct'), () => roots) : undefined;
  const ca = await createCaService({
    dataDir,
    publicUrl: 'http://127.0.0.1',
    logger: pino({ level: 'silent' }),
    issuers: parseIdentityConfig({ OIDCIssuers: { [issuer.url]: { IssuerURL: issuer.url, Type: 'email' } } }),
    ctLog: ct,
    password: 'bench-password',
  });
  roots = [ca.trust().certChainDer.at(-1)!];
  const app = Fastify({ logger: false });
  await ca.register(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/v2/signingCert`;
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const body = JSON.stringify({
    credentials: { oidcIdentityToken: issuer.token },
    publicKeyRequest: {
      publicKey: { algorithm: 'ECDSA', content: key.publicKey.export({ format: 'pem', type: 'spki' }) },
      proofOfPossession: sign('sha256', Buffer.from('bench@example.com'), key.privateKey).toString('base64'),
    },
  });
  const field = withCt ? 'signedCertificateEmbeddedSct' : 'signedCertificateDetachedSct';
  const once = async () => {
    const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const json = (await r.json()) as Record<string, unknown>;
    if (r.status !== 200 || !json[field]) throw new Error(`unexpected answer ${r.status}`);
  };
  for (let i = 0; i < 50; i++) await once(); // warm up: discovery, JWKS, JIT
  let issued = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        await once();
        issued++;
      }
    }),
  );
  await app.close();
  await ct?.close();
  return issued / SECONDS;
}

async function main() {
  const issuer = await startIssuer();
  const embedded = await issueRate(issuer, true);
  const detached = await issueRate(issuer, false);
  issuer.close();
  const baseline = rawSignRate();
  const line = (label: string, value: string) => console.log(`${label.padEnd(60)} ${value.padStart(8)}`);
  line(`certificates with embedded SCT over HTTP (${CONCURRENCY} clients) /s`, embedded.toFixed(0));
  line('certificates without a CT log (detached, empty SCT) /s', detached.toFixed(0));
  line('raw ECDSA P-384 signatures (node:crypto, one core) /s', baseline.toFixed(0));
  line('ratio: embedded-SCT certificates / raw signatures', (embedded / baseline).toFixed(3));
}

await main();
