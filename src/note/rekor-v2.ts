import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { SignetError } from '../errors.js';
import { NOTE_TYPE, ed25519NoteSigner, ed25519NoteVerifier, noteKeyId, rawEd25519PublicKey } from './ed25519.js';
import { checkName, type NoteSigner, type NoteVerifier } from './note.js';
import { rekorNoteSigner, rekorNoteVerifier } from './rekor.js';

/**
 * Rekor v2 (rekor-tiles `pkg/note`) checkpoint keys, named by the log's origin. The key ID depends on the key type:
 * Ed25519 is C2SP type 0x01, SHA-256(origin ‖ \n ‖ 0x01 ‖ pub); ECDSA is SHA-256(DER SPKI), as in v1; RSA is
 * SHA-256(origin ‖ \n ‖ 0xff ‖ "PKIX-RSA-PKCS#1v1.5" ‖ DER SPKI). The full 32 bytes are the log ID that bundles
 * carry in `logId.keyId`; the first 4 are the note key hash.
 */
export function rekorV2KeyId(origin: string, key: KeyObject): Buffer {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  switch (pub.asymmetricKeyType) {
    case 'ed25519':
      return noteKeyId(origin, NOTE_TYPE.ed25519, rawEd25519PublicKey(pub));
    case 'ec':
      return createHash('sha256').update(spki(pub)).digest();
    case 'rsa':
      return noteKeyId(origin, 0xff, Buffer.concat([Buffer.from(RSA_ID), spki(pub)]));
    default:
      throw new SignetError('unsupported', `Rekor v2 keys are Ed25519, ECDSA or RSA, not ${pub.asymmetricKeyType}`);
  }
}

const RSA_ID = 'PKIX-RSA-PKCS#1v1.5';

export function rekorV2NoteSigner(origin: string, privateKey: KeyObject): NoteSigner {
  checkName(origin);
  switch (privateKey.asymmetricKeyType) {
    case 'ed25519':
      return ed25519NoteSigner(origin, privateKey);
    case 'ec':
      return rekorNoteSigner(origin, privateKey);
    default: {
      const keyHash = rekorV2KeyId(origin, privateKey).readUInt32BE(0);
      return { name: origin, keyHash, sign: (message) => sign('sha256', message, privateKey) };
    }
  }
}

export function rekorV2NoteVerifier(origin: string, publicKey: KeyObject): NoteVerifier {
  checkName(origin);
  switch (publicKey.asymmetricKeyType) {
    case 'ed25519':
      return ed25519NoteVerifier(origin, publicKey);
    case 'ec':
      return rekorNoteVerifier(origin, publicKey);
    default: {
      const keyHash = rekorV2KeyId(origin, publicKey).readUInt32BE(0);
      return { name: origin, keyHash, verify: (message, signature) => verify('sha256', message, publicKey, signature) };
    }
  }
}

function spki(key: KeyObject): Buffer {
  return key.export({ type: 'spki', format: 'der' });
}
