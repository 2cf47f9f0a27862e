import { createHash, generateKeyPairSync, createPrivateKey, createPublicKey, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { SignetError } from '../errors.js';

export type LogKeyType = 'ecdsa-p256' | 'ed25519';

/** Where the log keeps its signing key inside its data directory. */
export const LOG_KEY_FILE = 'log-signing-key.pem';

/** The log's signing identity: one key for checkpoints and SETs; logID = SHA-256 of its DER SPKI. */
export interface LogIdentity {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** DER SubjectPublicKeyInfo. */
  publicKeyDer: Buffer;
  /** PEM `PUBLIC KEY` as served at /api/v1/log/publicKey. */
  publicKeyPem: string;
  /** Lower-case hex SHA-256 of the DER SPKI (Rekor's logID). */
  logId: string;
  keyType: LogKeyType;
}

/**
 * Loads the log key from `dir`, or creates one (PKCS#8 PEM, mode 0600) on first start. An existing key always wins
 * over `keyType`, so a restart with another flag cannot silently change the log's identity.
 */
export function loadOrCreateLogKey(dir: string, keyType: LogKeyType = 'ecdsa-p256'): LogIdentity {
  const path = join(dir, LOG_KEY_FILE);
  if (!existsSync(path)) {
    const { privateKey } =
      keyType === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    chmodSync(path, 0o600);
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch (e) {
    throw new SignetError('invalid-input', `cannot read the log signing key ${path}`, { cause: e });
  }
  return identityOf(privateKey);
}

export function identityOf(privateKey: KeyObject): LogIdentity {
  const keyType = logKeyTypeOf(privateKey);
  const publicKey = createPublicKey(privateKey);
  const publicKeyDer = publicKey.export({ type: 'spki', format: 'der' });
  return {
    privateKey,
    publicKey,
    publicKeyDer,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    logId: createHash('sha256').update(publicKeyDer).digest('hex'),
    keyType,
  };
}

function logKeyTypeOf(key: KeyObject): LogKeyType {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ecdsa-p256';
  throw new SignetError('unsupported', 'the log signing key must be ECDSA P-256 or Ed25519');
}

/** Signs `message` as Rekor's signer does: ECDSA -> DER over SHA-256(message); Ed25519 -> over the message. */
export function signMessage(identity: LogIdentity, message: Buffer | string): Buffer {
  const data = typeof message === 'string' ? Buffer.from(message, 'utf8') : message;
  return identity.keyType === 'ed25519'
    ? sign(null, data, identity.privateKey)
    : sign('sha256', data, identity.privateKey);
}

/** A random positive non-zero int64 as a decimal string (Trillian tree IDs are positive int64s). */
export function newTreeId(): string {
  for (;;) {
    const id = randomBytes(8).readBigUInt64BE() & 0x7fff_ffff_ffff_ffffn;
    if (id !== 0n) return id.toString(10);
  }
}

/** The 16-hex-digit tree ID prefix of 80-character entry IDs. */
export function treeIdHex(treeId: string): string {
  return BigInt(treeId).toString(16).padStart(16, '0');
}

/** Rekor v1's checkpoint origin: `<hostname> - <treeID>`; the note signature name is the hostname alone. */
export function checkpointOrigin(hostname: string, treeId: string): string {
  return `${hostname} - ${treeId}`;
}

/** The hostname part of the public URL (no port), as Rekor's `--rekor_server.hostname`. */
export function hostnameOf(publicUrl: string): string {
  try {
    return new URL(publicUrl).hostname || 'localhost';
  } catch {
    return 'localhost';
  }
}
