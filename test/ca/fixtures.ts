import { createServer, type Server } from 'node:http';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import {
  createCaService,
  parseIdentityConfig,
  type CaService,
  type CtLog,
  type IdentityConfig,
} from '../../src/ca/index.js';
import { tempDir } from '../helpers/process.js';

/** A tiny OIDC issuer on a free loopback port: discovery + JWKS, RS256 and ES256 keys. */
export interface TestIssuer {
  url: string;
  /** Signs a token with the issuer's RS256 key; `claims` override the defaults (iss, aud, iat, exp). */
  token(claims?: JWTPayload, options?: { alg?: 'RS256' | 'ES256'; key?: CryptoKey; kid?: string }): Promise<string>;
  jwksFetches: number;
  /** Adds a new RS256 signing key to the JWKS (key rotation) and returns its kid. */
  rotate(): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(path = ''): Promise<TestIssuer> {
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  const jwks = {
    keys: [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec1', alg: 'ES256', use: 'sig' },
    ],
  };
  let url = '';
  const state = { jwksFetches: 0 };
  let rotated: CryptoKey | undefined;
  const server: Server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url === `${path}/.well-known/openid-configuration`) {
      res.end(
        JSON.stringify({
          issuer: url,
          jwks_uri: `${url}/jwks`,
          id_token_signing_alg_values_supported: ['RS256', 'ES256'],
        }),
      );
    } else if (req.url === `${path}/jwks`) {
      state.jwksFetches++;
      res.end(JSON.stringify(jwks));
    } else {
      res.statusCode = 404;
      res.end('{}');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}${path}`;
  return {
    url,
    get jwksFetches() {
      return state.jwksFetches;
    },
    async token(claims = {}, options = {}) {
      const alg = options.alg ?? 'RS256';
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ iss: url, aud: 'sigstore', iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg, kid: options.kid ?? (alg === 'RS256' ? 'rsa1' : 'ec1') })
        .sign(
          options.key ??
            (options.kid === 'rsa2' && rotated ? rotated : alg === 'RS256' ? rsa.privateKey : ec.privateKey),
        );
    },
    async rotate() {
      const next = await generateKeyPair('RS256');
      rotated = next.privateKey;
      jwks.keys.push({ ...(await exportJWK(next.publicKey)), kid: 'rsa2', alg: 'RS256', use: 'sig' });
      return 'rsa2';
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  } as TestIssuer;
}

/** A CA service mounted on an in-memory fastify app (requests via `app.inject`). */
export interface TestCa {
  app: FastifyInstance;
  ca: CaService;
  dataDir: string;
  close(): Promise<void>;
}

export async function startTestCa(identity: IdentityConfig | object, options: { ctLog?: CtLog } = {}): Promise<TestCa> {
  const dataDir = tempDir('signet-ca-');
  const app = Fastify({ logger: false });
  const config =
    'oidcIssuers' in identity && 'ciIssuerMetadata' in identity
      ? (identity as IdentityConfig)
      : parseIdentityConfig(identity);
  const ca = await createCaService({
    dataDir,
    publicUrl: 'http://ca.test',
    logger: pino({ level: 'silent' }),
    issuers: config,
    ctLog: options.ctLog,
    password: 'test-password',
    oidc: { jwksCooldownMs: 0 },
  });
  await ca.register(app);
  await app.ready();
  return { app, ca, dataDir, close: () => app.close() };
}

/** A fresh key and its proof of possession over `subject`. */
export function keyAndProof(
  subject: string,
  type: 'p256' | 'p384' | 'ed25519' | 'rsa2048' = 'p256',
): { pem: string; proof: string; privateKey: KeyObject } {
  const pair =
    type === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : type === 'rsa2048'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: type === 'p256' ? 'P-256' : 'P-384' });
  const hash = type === 'ed25519' ? null : type === 'p384' ? 'sha384' : 'sha256';
  const proof = sign(hash, Buffer.from(subject), pair.privateKey).toString('base64');
  return { pem: pair.publicKey.export({ format: 'pem', type: 'spki' }) as string, proof, privateKey: pair.privateKey };
}

export function v2Body(token: string, pem: string, proof: string) {
  return {
    credentials: { oidcIdentityToken: token },
    publicKeyRequest: { publicKey: { algorithm: 'ECDSA', content: pem }, proofOfPossession: proof },
  };
}
