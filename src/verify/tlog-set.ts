import type { KeyObject } from 'node:crypto';
import { messageHash, verifyByTrustedKey } from '../crypto/index.js';
import { canonicalJson } from '../encoding/index.js';

/**
 * The SignedEntryTimestamp (Rekor v1's inclusion promise): the log's signature over the RFC 8785 form of exactly
 * `{body, integratedTime, logID (hex), logIndex (virtual)}`. Anything else in the entry is not covered.
 */
export function setPayload(body: string, integratedTime: number, logIdHex: string, logIndex: number): Buffer {
  return Buffer.from(canonicalJson({ body, integratedTime, logID: logIdHex, logIndex }), 'utf8');
}

export function verifySet(payload: Buffer, signature: Buffer, key: KeyObject): boolean {
  const hash = messageHash(key, 'sha256');
  try {
    return verifyByTrustedKey(hash, payload, key, signature);
  } catch {
    return false;
  }
}
