import { createHash, generateKeyPairSync, sign, webcrypto, type KeyObject } from 'node:crypto';
import { rmSync } from 'node:fs';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import '../ct/reflect-shim.js';
import * as x509 from '@peculiar/x509';
import {
  createRekorV2Service,
  preAuthEncoding,
  type RekorV2Options,
  type RekorV2Service,
} from '../../src/rekor-v2/index.js';
import { buildServer } from '../../src/stack/server.js';
import { tempDir } from '../helpers/process.js';

x509.cryptoProvider.set(webcrypto as never);

export interface V2App {
  app: FastifyInstance;
  service: RekorV2Service;
  dataDir: string;
  close(): Promise<void>;
}

/** The Rekor v2 service on a fastify instance driven with inject, over SQLite in a temp dir. */
export async function v2App(options: RekorV2Options = {}, dataDir = tempDir('signet-rekor2-')): Promise<V2App> {
  const logger = pino({ level: 'silent' });
  const service = await createRekorV2Service({ dataDir, publicUrl: 'http://rekor2.test:3000', logger }, options);
  const app = await buildServer({ services: [service], logger });
  await app.ready();
  return {
    app,
    service,
    dataDir,
    async close() {
      await app.close();
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' }).toString('base64');

/** A signed hashedRekordRequestV002 for `data` with a fresh P-256 key (or the one given). */
export function hashedRekordRequest(data: Buffer | string, key = generateKeyPairSync('ec', { namedCurve: 'P-256' })) {
  const digest = createHash('sha256').update(data).digest();
  const signature = sign('sha256', Buffer.from(data), key.privateKey);
  return {
    key,
    request: {
      hashedRekordRequestV002: {
        digest: digest.toString('base64'),
        signature: {
          content: signature.toString('base64'),
          verifier: { publicKey: { rawBytes: spki(key.publicKey) }, keyDetails: 'PKIX_ECDSA_P256_SHA_256' },
        },
      },
    },
  };
}

/** A dsseRequestV002 with one P-256 signature over PAE. */
export function dsseRequest(payload: string, key = generateKeyPairSync('ec', { namedCurve: 'P-256' })) {
  const payloadType = 'application/vnd.in-toto+json';
  const sig = sign('sha256', preAuthEncoding(payloadType, Buffer.from(payload)), key.privateKey);
  return {
    key,
    sig,
    request: {
      dsseRequestV002: {
        envelope: {
          payload: Buffer.from(payload).toString('base64'),
          payloadType,
          signatures: [{ sig: sig.toString('base64'), keyid: '' }],
        },
        verifiers: [{ publicKey: { rawBytes: spki(key.publicKey) }, keyDetails: 'PKIX_ECDSA_P256_SHA_256' }],
      },
    },
  };
}

/** A self-signed P-256 certificate (DER) with `padding` bytes of an opaque extension, and its key. */
export async function certificateWithPadding(padding: number) {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const extensions = padding > 0 ? [new x509.Extension('1.3.6.1.4.1.99999.1', false, new Uint8Array(padding))] : [];
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=signet rekor2 test',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 3600_000),
    keys,
    signingAlgorithm: alg,
    extensions,
  });
  const privateKey = webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { der: Buffer.from(cert.rawData), pkcs8: Buffer.from(await privateKey) };
}
