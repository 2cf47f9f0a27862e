import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { MessageImprint, TimeStampReq } from '@peculiar/asn1-tsp';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import pino from 'pino';
import { buildServer } from '../../src/stack/index.js';
import { createTsaService, HASHES, type HashName, type TsaServiceOptions } from '../../src/tsa/index.js';

export const silent = pino({ level: 'silent' });

/** A TSA in a fresh temp data dir, mounted on a fastify app (inject, or listen for real sockets). */
export async function tsaApp(options: TsaServiceOptions = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'signet-tsa-'));
  const tsa = await createTsaService({ dataDir, publicUrl: 'http://127.0.0.1:1', logger: silent, ...options });
  const app = await buildServer({ services: [tsa], logger: silent });
  return { app, tsa, dataDir };
}

/** A DER TimeStampReq over `message` built with asn1-tsp (as a client would). */
export function derQuery(
  message: Buffer,
  o: { hash?: HashName; hashOid?: string; nonce?: Buffer; certReq?: boolean; policy?: string; digest?: Buffer } = {},
): Buffer {
  const hash = o.hash ?? 'sha256';
  const req = new TimeStampReq({
    version: 1,
    messageImprint: new MessageImprint({
      hashAlgorithm: new AlgorithmIdentifier({ algorithm: o.hashOid ?? HASHES[hash].oid }),
      hashedMessage: new OctetString(o.digest ?? createHash(hash).update(message).digest()),
    }),
    certReq: o.certReq ?? false,
  });
  if (o.nonce) req.nonce = new Uint8Array(o.nonce).buffer;
  if (o.policy) req.reqPolicy = o.policy;
  return Buffer.from(AsnConvert.serialize(req));
}

export const randomSignature = () => randomBytes(71);
