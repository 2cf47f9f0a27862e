import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';

/** The dev provider's ES256 ID-token key and its public JWK (kid = RFC 7638 thumbprint). */
export interface IdTokenKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JWK;
  kid: string;
}

/**
 * Loads the P-256 key at `path`, creating it (PKCS#8 PEM, mode 0600) on first start, so tokens stay verifiable
 * across restarts.
 */
export async function loadOrCreateIdTokenKey(path: string): Promise<IdTokenKey> {
  let privateKey: KeyObject;
  if (existsSync(path)) {
    privateKey = createPrivateKey(readFileSync(path));
  } else {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    privateKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`dev oidc key at ${path} is not an ECDSA P-256 key`);
  }
  const publicKey = createPublicKey(privateKey);
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { privateKey, publicKey, jwk, kid };
}
