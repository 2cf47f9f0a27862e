import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SignetError } from '../errors.js';
import { rekorV2KeyId, rekorV2NoteSigner, type NoteSigner } from '../note/index.js';

export const V2_KEY_FILE = 'log-signing-key.pem';

/** Key types a new Rekor v2 key may have (rekor-tiles signs checkpoints with Ed25519, ECDSA or RSA). */
export type V2KeyType = 'ed25519' | 'ecdsa-p256' | 'ecdsa-p384' | 'rsa-2048';

/** The Rekor v2 log's identity: its checkpoint origin, key and C2SP log ID. */
export interface V2Identity {
  origin: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SHA-256 over origin, signature type and key (C2SP signed-note key ID, untruncated): `logId.keyId`. */
  logId: Buffer;
  noteSigner: NoteSigner;
}

/**
 * Loads the key from `dir` or creates one (PKCS#8 PEM, 0600) on first start; an existing key always wins over
 * `keyType`, so a restart with another flag cannot change the log's identity.
 */
export function loadOrCreateV2Identity(dir: string, origin: string, keyType: V2KeyType = 'ed25519'): V2Identity {
  const path = join(dir, V2_KEY_FILE);
  if (!existsSync(path)) {
    writeFileSync(path, newKey(keyType).export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch (e) {
    throw new SignetError('invalid-input', `cannot read the Rekor v2 signing key ${path}`, { cause: e });
  }
  return v2IdentityOf(privateKey, origin);
}

export function v2IdentityOf(privateKey: KeyObject, origin: string): V2Identity {
  return {
    origin,
    privateKey,
    publicKey: createPublicKey(privateKey),
    logId: rekorV2KeyId(origin, privateKey),
    noteSigner: rekorV2NoteSigner(origin, privateKey),
  };
}

/**
 * The checkpoint origin for a log served at `publicUrl`: its host (with any port), as rekor-tiles names shards by
 * host. Verifiers such as sigstore-js look for the signature name inside the trusted root's base URL, so it must be
 * a substring of it; the host and port also keep it apart from the v1 log's `<hostname> - <treeID>`.
 */
export function v2OriginOf(publicUrl: string): string {
  try {
    return new URL(publicUrl).host || 'localhost';
  } catch {
    return 'localhost';
  }
}

function newKey(type: V2KeyType): KeyObject {
  switch (type) {
    case 'ed25519':
      return generateKeyPairSync('ed25519').privateKey;
    case 'ecdsa-p256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    case 'ecdsa-p384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    case 'rsa-2048':
      return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  }
}
