import { createHash, createPublicKey, sign, type KeyObject } from 'node:crypto';
import { verifyByTrustedKey } from '../crypto/index.js';
import { SignetError } from '../errors.js';
import { checkName, type NoteSigner, type NoteVerifier } from './note.js';

/**
 * Rekor v1 checkpoint keys (`rekor:pkg/util/signed_note.go`) and C2SP ECDSA (type 0x02) keys: the key hash is the
 * first 4 bytes of SHA-256(DER SubjectPublicKeyInfo), i.e. of the log ID, for every key type; the name is the
 * server's hostname. ECDSA and RSA sign SHA-256 of the note text (ECDSA as ASN.1 DER); Ed25519 signs the text.
 */
export function rekorKeyHash(publicKey: KeyObject): number {
  let hash = keyHashes.get(publicKey);
  if (hash === undefined) {
    hash = createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest()
      .readUInt32BE(0);
    keyHashes.set(publicKey, hash);
  }
  return hash;
}

/**
 * A key's hash is a property of the key object (immutable), computed once: a verifier checks every checkpoint
 * against the same trusted log key, and exporting it to DER each time showed in the verification profile.
 */
const keyHashes = new WeakMap<KeyObject, number>();

/** Signs checkpoints as Rekor v1 does, e.g. `rekorNoteSigner('rekor.example.com', logPrivateKey)`. */
export function rekorNoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  checkName(name);
  if (privateKey.type !== 'private') throw new SignetError('invalid-input', 'a note signer needs a private key');
  const digest = digestFor(privateKey);
  const keyHash = rekorKeyHash(publicFrom(privateKey));
  return { name, keyHash, sign: (message) => sign(digest, message, { key: privateKey, dsaEncoding: 'der' }) };
}

/**
 * Verifies Rekor v1 checkpoint signatures (and C2SP type 0x02 ECDSA note signatures). The log's key is trust
 * material that checks note after note: it verifies as one (fixed-base tables once warm).
 */
export function rekorNoteVerifier(name: string, publicKey: KeyObject): NoteVerifier {
  checkName(name);
  const key = publicFrom(publicKey);
  const digest = digestFor(key);
  return {
    name,
    keyHash: rekorKeyHash(key),
    verify: (message, signature) => verifyByTrustedKey(digest, message, key, signature),
  };
}

function digestFor(key: KeyObject): string | null {
  switch (key.asymmetricKeyType) {
    case 'ec':
    case 'rsa':
      return 'sha256';
    case 'ed25519':
      return null;
    default:
      throw new SignetError('unsupported', `note keys must be ECDSA, RSA or Ed25519, not ${key.asymmetricKeyType}`);
  }
}

function publicFrom(key: KeyObject): KeyObject {
  if (key.type === 'public') return key;
  if (key.type === 'private') return createPublicKey(key);
  throw new SignetError('invalid-input', 'note keys must be asymmetric keys');
}
