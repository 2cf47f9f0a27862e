import { sign, verify, type KeyObject } from 'node:crypto';
import { invalidInput } from '../errors.js';
import { NOTE_TYPE, ed25519PublicKeyFromRaw, noteKeyId, rawEd25519PublicKey } from './ed25519.js';
import { checkName, type NoteSigner, type NoteVerifier } from './note.js';

/**
 * C2SP tlog-cosignature v1 (type 0x04): a witness signs `cosignature/v1\ntime <t>\n<checkpoint text>` with
 * Ed25519 and the signature is `u64 big-endian t || 64-byte signature`.
 */
export function cosignatureV1Message(text: Uint8Array | string, timestamp: number): Buffer {
  checkTimestamp(timestamp);
  return Buffer.concat([Buffer.from(`cosignature/v1\ntime ${timestamp}\n`), Buffer.from(text)]);
}

/** A witness cosigner; `now` gives POSIX seconds (injectable for tests). */
export function cosignatureV1Signer(
  name: string,
  privateKey: KeyObject,
  options: { now?: () => number } = {},
): NoteSigner {
  checkName(name);
  const now = options.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    name,
    keyHash: noteKeyId(name, NOTE_TYPE.cosignatureV1, rawEd25519PublicKey(privateKey)).readUInt32BE(0),
    sign(message) {
      const timestamp = now();
      const ts = Buffer.alloc(8);
      ts.writeBigUInt64BE(BigInt(timestamp));
      return Buffer.concat([ts, sign(null, cosignatureV1Message(message, timestamp), privateKey)]);
    },
  };
}

/** Verifies a witness's cosignatures; read the time with `cosignatureTimestamp`. */
export function cosignatureV1Verifier(name: string, publicKey: KeyObject | Uint8Array): NoteVerifier {
  checkName(name);
  const key = publicKey instanceof Uint8Array ? ed25519PublicKeyFromRaw(publicKey) : publicKey;
  return {
    name,
    keyHash: noteKeyId(name, NOTE_TYPE.cosignatureV1, rawEd25519PublicKey(key)).readUInt32BE(0),
    verify(message, signature) {
      if (signature.length !== 72) return false;
      const timestamp = cosignatureTimestamp(signature);
      return verify(null, cosignatureV1Message(message, timestamp), key, signature.subarray(8));
    },
  };
}

/** The POSIX-seconds timestamp of a v1 cosignature (the signature bytes after the key hash). */
export function cosignatureTimestamp(signature: Uint8Array): number {
  if (signature.length !== 72) throw invalidInput(`a cosignature/v1 signature is 72 bytes, not ${signature.length}`);
  const t = Buffer.from(signature).readBigUInt64BE(0);
  if (t > BigInt(Number.MAX_SAFE_INTEGER)) throw invalidInput('cosignature timestamp is out of range');
  return Number(t);
}

function checkTimestamp(t: number): void {
  if (!Number.isSafeInteger(t) || t < 0) throw invalidInput(`cosignature timestamp ${t} is not a non-negative integer`);
}
