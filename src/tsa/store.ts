import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pemBlocks } from '../encoding/index.js';
import { SignetError, invalidInput } from '../errors.js';
import { checkTsaChain, createTsaChain } from './certificates.js';
import type { TsaSigner } from './response.js';

/**
 * Files in the TSA's data dir. The key is PKCS#8 PEM encrypted with the TSA password (PBES2, AES-256-CBC), 0600,
 * as the CA keeps its keys; the chain is PEM, leaf first, root last (timestamp-authority's chain file order).
 */
export const TSA_FILES = {
  chain: 'tsa-chain.pem',
  key: 'tsa-key.pem',
  generatedPassword: 'tsa-password',
} as const;

/**
 * Loads the TSA signer from `dataDir`, creating the key and chain on first start. Without a password the one kept
 * in `dataDir/tsa-password` (0600, generated on first start) is used, so `signet up` starts unattended.
 */
export function ensureTsaSigner(dataDir: string, password?: string): TsaSigner {
  const chainPath = join(dataDir, TSA_FILES.chain);
  const keyPath = join(dataDir, TSA_FILES.key);
  if (!existsSync(chainPath) || !existsSync(keyPath)) {
    mkdirSync(dataDir, { recursive: true });
    const pass = password ?? generatedPassword(dataDir);
    const signer = createTsaChain();
    const pem = signer.key.export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: pass });
    writeFileSync(keyPath, pem, { mode: 0o600 });
    writeFileSync(chainPath, signer.chain.map((c) => c.toString()).join(''));
    return signer;
  }
  const pass = password ?? storedPassword(dataDir);
  if (!pass) {
    throw new SignetError('unauthenticated', `the TSA key in ${dataDir} is encrypted and no password was given`, {
      detail: { option: 'tsaPassword' },
    });
  }
  return loadTsaSigner(readFileSync(chainPath, 'utf8'), readFileSync(keyPath, 'utf8'), pass);
}

/** Loads and checks an operator's chain (PEM, leaf first) and key (PKCS#8 PEM, encrypted or not). */
export function loadTsaSigner(chainPem: string, keyPem: string, password?: string): TsaSigner {
  const chain = pemBlocks(chainPem, 'CERTIFICATE').map((b) => new X509Certificate(b.der));
  let key;
  try {
    key = createPrivateKey(password ? { key: keyPem, format: 'pem', passphrase: password } : keyPem);
  } catch (e) {
    throw invalidInput('cannot decrypt or parse the TSA private key (wrong password?)', e);
  }
  checkTsaChain(key, chain);
  return { key, chain };
}

function generatedPassword(dataDir: string): string {
  const existing = storedPassword(dataDir);
  if (existing) return existing;
  const password = randomBytes(24).toString('base64url');
  writeFileSync(join(dataDir, TSA_FILES.generatedPassword), password + '\n', { mode: 0o600 });
  return password;
}

function storedPassword(dataDir: string): string | undefined {
  const path = join(dataDir, TSA_FILES.generatedPassword);
  return existsSync(path) ? readFileSync(path, 'utf8').trim() : undefined;
}
