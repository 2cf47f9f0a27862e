import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { SignetError, invalidInput } from '../errors.js';
import { checkName, type NoteSigner, type NoteVerifier } from './note.js';

/** C2SP signed-note signature types (the byte after name and newline in the key ID hash). */
export const NOTE_TYPE = { ed25519: 0x01, ecdsa: 0x02, cosignatureV1: 0x04 } as const;

/**
 * The full 32-byte C2SP key ID, SHA-256(name || 0x0A || type || key); its first 4 bytes are the note key hash,
 * and the whole of it is a Rekor v2 log ID.
 */
export function noteKeyId(name: string, type: number, key: Uint8Array): Buffer {
  return createHash('sha256')
    .update(Buffer.from(`${name}\n`, 'utf8'))
    .update(Buffer.from([type]))
    .update(key)
    .digest();
}

/** C2SP Ed25519 (type 0x01) note signer, as golang.org/x/mod/sumdb/note and Rekor v2 (name = origin) sign. */
export function ed25519NoteSigner(name: string, privateKey: KeyObject): NoteSigner {
  checkName(name);
  const pub = rawEd25519PublicKey(privateKey);
  return {
    name,
    keyHash: noteKeyId(name, NOTE_TYPE.ed25519, pub).readUInt32BE(0),
    sign: (message) => sign(null, message, privateKey),
  };
}

/** C2SP Ed25519 note verifier from a KeyObject or the raw 32-byte public key. */
export function ed25519NoteVerifier(name: string, publicKey: KeyObject | Uint8Array): NoteVerifier {
  checkName(name);
  const key = publicKey instanceof Uint8Array ? ed25519PublicKeyFromRaw(publicKey) : asPublic(publicKey);
  const pub = rawEd25519PublicKey(key);
  return {
    name,
    keyHash: noteKeyId(name, NOTE_TYPE.ed25519, pub).readUInt32BE(0),
    verify: (message, signature) => signature.length === 64 && verify(null, message, key, signature),
  };
}

/** The raw 32-byte Ed25519 public key of a public or private KeyObject. */
export function rawEd25519PublicKey(key: KeyObject): Buffer {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new SignetError('unsupported', `expected an Ed25519 key, got ${key.asymmetricKeyType ?? 'a secret key'}`);
  }
  let raw = rawKeys.get(key);
  if (!raw) {
    const spki = asPublic(key).export({ type: 'spki', format: 'der' });
    raw = spki.subarray(spki.length - 32);
    rawKeys.set(key, raw);
  }
  return Buffer.from(raw); // a copy: callers may keep or change it
}

/** Raw public keys by key object (immutable), so verifying each checkpoint does not export the log key again. */
const rawKeys = new WeakMap<KeyObject, Buffer>();

export function ed25519PublicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw invalidInput(`an Ed25519 public key is 32 bytes, not ${raw.length}`);
  return createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') },
    format: 'jwk',
  });
}

/** An Ed25519 private key from its 32-byte seed (RFC 8410 PKCS#8 wrapping). */
export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw invalidInput(`an Ed25519 seed is 32 bytes, not ${seed.length}`);
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
}

function asPublic(key: KeyObject): KeyObject {
  return key.type === 'public' ? key : createPublicKey(key);
}
