import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface LogKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** RFC 6962 §3.2 LogID: SHA-256 of the DER SubjectPublicKeyInfo. */
  logId: Buffer;
  /** When the key file was created: the start of the log's validity in trusted_root.json. */
  createdAt: Date;
}

/** Loads the log's ECDSA P-256 key, creating it on first start (PKCS#8 PEM, 0600). */
export function loadOrCreateLogKey(path: string): LogKey {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  }
  const privateKey = createPrivateKey(readFileSync(path));
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`CT log key at ${path} is not an ECDSA P-256 key`);
  }
  const publicKey = createPublicKey(privateKey);
  const logId = createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest();
  const st = statSync(path);
  return {
    privateKey,
    publicKey,
    logId,
    createdAt: new Date(Math.floor((st.birthtimeMs || st.mtimeMs) / 1000) * 1000),
  };
}
