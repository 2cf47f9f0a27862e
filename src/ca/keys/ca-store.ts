import { createPrivateKey, createPublicKey, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignetError, invalidInput } from '../../errors.js';
import { pemBlocks } from '../../encoding/index.js';
import { createCaMaterial } from '../certificate/ca-certs.js';

/** The CA's signing material: the issuing certificate's key and the chain, issuing certificate first, root last. */
export interface CaChain {
  key: KeyObject;
  chain: X509Certificate[];
}

/** File names inside the data directory. Keys are PKCS#8 encrypted PEM (PBES2, AES-256-CBC), mode 0600. */
export const CA_FILES = {
  rootCert: 'ca-root.pem',
  intermediateCert: 'ca-intermediate.pem',
  rootKey: 'ca-root-key.pem',
  intermediateKey: 'ca-intermediate-key.pem',
  generatedPassword: 'ca-password',
} as const;

/** True when `dataDir` already holds a CA made by `initCa`. */
export function hasCa(dataDir: string): boolean {
  return existsSync(join(dataDir, CA_FILES.intermediateCert)) && existsSync(join(dataDir, CA_FILES.intermediateKey));
}

/** Creates a P-384 root and intermediate in `dataDir`; refuses to overwrite an existing CA. */
export function initCa(
  dataDir: string,
  password: string,
  options: { organization?: string; commonName?: string } = {},
): CaChain {
  assertPassword(password);
  if (hasCa(dataDir)) throw new SignetError('conflict', `a CA already exists in ${dataDir}`);
  mkdirSync(dataDir, { recursive: true });
  const m = createCaMaterial(options);
  const pem = (der: Buffer) => new X509Certificate(der).toString();
  writeFileSync(join(dataDir, CA_FILES.rootCert), pem(m.rootDer));
  writeFileSync(join(dataDir, CA_FILES.intermediateCert), pem(m.intermediateDer));
  writeSecret(join(dataDir, CA_FILES.rootKey), encryptKey(m.rootKey, password));
  writeSecret(join(dataDir, CA_FILES.intermediateKey), encryptKey(m.intermediateKey, password));
  return { key: m.intermediateKey, chain: [new X509Certificate(m.intermediateDer), new X509Certificate(m.rootDer)] };
}

/** Loads the CA made by `initCa` in `dataDir`. */
export function loadCa(dataDir: string, password: string): CaChain {
  const chainPem =
    readFileSync(join(dataDir, CA_FILES.intermediateCert), 'utf8') +
    readFileSync(join(dataDir, CA_FILES.rootCert), 'utf8');
  return loadChainAndKey(chainPem, readFileSync(join(dataDir, CA_FILES.intermediateKey), 'utf8'), password);
}

/**
 * Loads an operator-supplied chain (PEM, signing certificate first, root last) and its key (PEM, PKCS#8 encrypted
 * or not), checking what Fulcio checks at startup: the key matches, the signing certificate is a CA with the
 * codeSigning EKU when it is an intermediate, and each certificate is signed by the next.
 */
export function loadChainAndKey(chainPem: string, keyPem: string, password?: string): CaChain {
  const chain = pemBlocks(chainPem, 'CERTIFICATE').map((b) => new X509Certificate(b.der));
  if (chain.length === 0) throw invalidInput('the CA certificate chain file holds no PEM CERTIFICATE');
  let key: KeyObject;
  try {
    key = createPrivateKey(
      password ? { key: keyPem, format: 'pem', passphrase: password } : { key: keyPem, format: 'pem' },
    );
  } catch {
    throw invalidInput('cannot decrypt or parse the CA private key (wrong password?)');
  }
  verifyChain(chain, key);
  return { key, chain };
}

function verifyChain(chain: X509Certificate[], key: KeyObject): void {
  const signing = chain[0]!;
  if (!signing.publicKey.equals(createPublicKey(key)))
    throw invalidInput('the CA private key does not match the signing certificate');
  if (!signing.ca) throw invalidInput('the signing certificate is not a CA (basicConstraints CA:TRUE is required)');
  if (chain.length > 1 && !hasCodeSigningEku(signing)) {
    throw invalidInput('the intermediate certificate must carry the codeSigning extended key usage');
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i]!.verify(chain[i + 1]!.publicKey))
      throw invalidInput(`certificate ${i} of the CA chain is not signed by certificate ${i + 1}`);
  }
  const root = chain[chain.length - 1]!;
  if (!root.verify(root.publicKey))
    throw invalidInput('the last certificate of the CA chain is not a self-signed root');
}

function hasCodeSigningEku(cert: X509Certificate): boolean {
  return (cert.keyUsage ?? []).includes('1.3.6.1.5.5.7.3.3');
}

function encryptKey(key: KeyObject, password: string): string {
  return key.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: password }) as string;
}

function writeSecret(path: string, data: string): void {
  writeFileSync(path, data, { mode: 0o600 });
}

function assertPassword(password: string): void {
  if (password.length < 8) throw invalidInput('the CA key password must be at least 8 characters');
}

/**
 * For `signet up`: the CA password kept in `dataDir/ca-password` (0600), generated on first start, so the stack
 * starts unattended. Anyone who can read the data directory can use the CA key.
 */
export function generatedPassword(dataDir: string): string {
  const path = join(dataDir, CA_FILES.generatedPassword);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const password = randomBytes(24).toString('base64url');
  writeSecret(path, password + '\n');
  return password;
}

/** The generated password of a `signet up` data dir, if there is one. */
export function storedPassword(dataDir: string): string | undefined {
  const path = join(dataDir, CA_FILES.generatedPassword);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}

/** Loads the CA from `dataDir`, creating it first when absent (the `signet up` path). */
export function ensureCa(dataDir: string, password: string): CaChain {
  return hasCa(dataDir) ? loadCa(dataDir, password) : initCa(dataDir, password);
}
