import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { calculateJwkThumbprint, exportJWK, type JWK } from 'jose';

/** ID-token algorithms the dev provider offers. RS256 is the default: OIDC Core requires it of every provider. */
export const ID_TOKEN_ALGS = ['RS256', 'ES256'] as const;
export type IdTokenAlg = (typeof ID_TOKEN_ALGS)[number];

/** The dev provider's ID-token key and its public JWK (kid = RFC 7638 thumbprint). */
export interface IdTokenKey {
  alg: IdTokenAlg;
  privateKey: KeyObject;
  publicKey: KeyObject;
  jwk: JWK;
  kid: string;
}

/** One key file per algorithm, so switching `--oidc-signing-alg` back and forth keeps each key. */
const KEY_FILES: Record<IdTokenAlg, string> = { ES256: 'id-token-key.pem', RS256: 'id-token-key-rs256.pem' };

export function idTokenKeyPath(dataDir: string, alg: IdTokenAlg): string {
  return join(dataDir, KEY_FILES[alg]);
}

/**
 * Loads the `alg` key in `dataDir`, creating it (PKCS#8 PEM, mode 0600) on first start, so tokens stay verifiable
 * across restarts: RSA 2048 for RS256, P-256 for ES256.
 */
export async function loadOrCreateIdTokenKey(dataDir: string, alg: IdTokenAlg): Promise<IdTokenKey> {
  const path = idTokenKeyPath(dataDir, alg);
  let privateKey: KeyObject;
  if (existsSync(path)) {
    privateKey = createPrivateKey(readFileSync(path));
  } else {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    privateKey =
      alg === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
        : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  }
  const fits =
    alg === 'RS256'
      ? privateKey.asymmetricKeyType === 'rsa' && (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048
      : privateKey.asymmetricKeyType === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  if (!fits) throw new Error(`dev oidc key at ${path} is not a key for ${alg}`);
  const publicKey = createPublicKey(privateKey);
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, privateKey, publicKey, jwk, kid };
}
