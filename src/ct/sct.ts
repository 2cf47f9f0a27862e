import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { HASH_SHA256, SIG_ECDSA, SIG_RSA, sctSignedData, type Sct, type SignedEntry } from '../encoding/index.js';

/** ECDSA P-256 / SHA-256 DigitallySigned over `data` with the log key. */
export function digitallySign(key: KeyObject, data: Buffer): Sct['signature'] {
  return { hashAlgorithm: HASH_SHA256, signatureAlgorithm: SIG_ECDSA, signature: sign('sha256', data, key) };
}

export function signSct(key: KeyObject, logId: Buffer, entry: SignedEntry, timestamp: number): Sct {
  const extensions = Buffer.alloc(0);
  const signature = digitallySign(key, sctSignedData(entry, timestamp, extensions));
  return { version: 0, logId, timestamp, extensions, signature };
}

/** Checks an SCT's signature over `entry` with the log's public key (SHA-256 with ECDSA or RSA PKCS#1 v1.5). */
export function verifySct(sct: Sct, entry: SignedEntry, logKey: KeyObject): boolean {
  if (sct.version !== 0 || sct.signature.hashAlgorithm !== HASH_SHA256) return false;
  const expectAlg = logKey.asymmetricKeyType === 'ec' ? SIG_ECDSA : logKey.asymmetricKeyType === 'rsa' ? SIG_RSA : -1;
  if (sct.signature.signatureAlgorithm !== expectAlg) return false;
  const logId = createHash('sha256')
    .update(logKey.export({ type: 'spki', format: 'der' }))
    .digest();
  if (!logId.equals(sct.logId)) return false;
  try {
    return verify('sha256', sctSignedData(entry, sct.timestamp, sct.extensions), logKey, sct.signature.signature);
  } catch {
    return false;
  }
}
