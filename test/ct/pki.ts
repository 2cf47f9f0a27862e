import { webcrypto } from 'node:crypto';

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;
import './reflect-shim.js';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as never);

const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const POISON = '1.3.6.1.4.1.11129.2.4.3';
const SCT_LIST = '1.3.6.1.4.1.11129.2.4.2';

export interface TestPki {
  root: Buffer;
  intermediate: Buffer;
  intermediateKeys: CryptoKeyPair;
  /** The WebCrypto algorithm of the CA keys and their signatures (ECDSA P-256 unless makePki was told otherwise). */
  algorithm: CaAlgorithm;
}

/** WebCrypto key generation + signing parameters of a test CA. */
export type CaAlgorithm =
  | { name: 'ECDSA'; namedCurve: string; hash: string }
  | { name: 'RSASSA-PKCS1-v1_5'; hash: string; modulusLength: number; publicExponent: Uint8Array }
  | { name: 'Ed25519' };

export async function newKeyPair(): Promise<CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** A root and an intermediate CA (P-256), made fresh for a test. */
export async function makePki(name = 'test', algorithm: CaAlgorithm = alg): Promise<TestPki> {
  const rootKeys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + 3600_000);
  const root = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `CN=${name} root`,
    notBefore,
    notAfter,
    keys: rootKeys,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 1, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  const intermediateKeys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const intermediate = await x509.X509CertificateGenerator.create({
    serialNumber: '02',
    subject: `CN=${name} intermediate`,
    issuer: root.subject,
    notBefore,
    notAfter,
    publicKey: intermediateKeys.publicKey,
    signingKey: rootKeys.privateKey,
    signingAlgorithm: algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true),
    ],
  });
  return {
    root: Buffer.from(root.rawData),
    intermediate: Buffer.from(intermediate.rawData),
    intermediateKeys,
    algorithm,
  };
}

/** A leaf signed by the intermediate, as a precert (poison) or with an SCT list (`sctList` = the TLS bytes). */
export async function makeLeaf(
  pki: TestPki,
  opts: { poison?: boolean; sctList?: Buffer; serial?: string; leafKey?: CryptoKey; validity?: [Date, Date] },
) {
  const leafKey =
    opts.leafKey ?? ((await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair).publicKey;
  const now = Math.floor(Date.now() / 1000) * 1000;
  const [notBefore, notAfter] = opts.validity ?? [new Date(now - 1000), new Date(now + 600_000)];
  const issuer = new x509.X509Certificate(pki.intermediate);
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.codeSigning]),
    new x509.SubjectAlternativeNameExtension([{ type: 'email', value: 'alice@example.com' }], true),
  ];
  if (opts.poison) extensions.push(new x509.Extension(POISON, true, new Uint8Array([0x05, 0x00])));
  if (opts.sctList) extensions.push(new x509.Extension(SCT_LIST, false, octetString(opts.sctList)));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: opts.serial ?? '0a0b0c',
    subject: '',
    issuer: issuer.subject,
    notBefore,
    notAfter,
    publicKey: leafKey,
    signingKey: pki.intermediateKeys.privateKey,
    signingAlgorithm: pki.algorithm,
    extensions,
  });
  return Buffer.from(cert.rawData);
}

function octetString(b: Buffer): Uint8Array {
  const len =
    b.length < 0x80
      ? Buffer.from([b.length])
      : b.length < 0x100
        ? Buffer.from([0x81, b.length])
        : Buffer.from([0x82, b.length >> 8, b.length & 0xff]);
  return Buffer.concat([Buffer.from([0x04]), len, b]);
}
