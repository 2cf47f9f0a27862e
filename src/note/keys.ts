import { createPublicKey, type KeyObject } from 'node:crypto';
import { SignetError, invalidInput } from '../errors.js';
import { cosignatureV1Verifier } from './cosignature.js';
import {
  NOTE_TYPE,
  ed25519NoteVerifier,
  ed25519PrivateKeyFromSeed,
  noteKeyId,
  rawEd25519PublicKey,
} from './ed25519.js';
import { checkName, hex8, type NoteVerifier } from './note.js';
import { rekorNoteVerifier } from './rekor.js';

/**
 * Text forms of note keys (golang.org/x/mod/sumdb/note): vkey `<name>+<hex8 key hash>+<base64(type || key)>`,
 * skey `PRIVATE+KEY+<name>+<hex8>+<base64(0x01 || seed)>`. The base64 part may itself contain `+`, so only the
 * leading fields are split off.
 */

/** A verifier for a vkey of type 0x01 (Ed25519), 0x02 (ECDSA SPKI, as Rekor) or 0x04 (cosignature/v1). */
export function parseVerifierKey(vkey: string): NoteVerifier {
  const [name, hashHex, b64] = splitFields(vkey, 3, 'verifier key');
  const material = decodeKey(b64, 'verifier key');
  const type = material[0]!;
  const key = material.subarray(1);
  let verifier: NoteVerifier;
  if (type === NOTE_TYPE.ed25519) verifier = ed25519NoteVerifier(name, key);
  else if (type === NOTE_TYPE.cosignatureV1) verifier = cosignatureV1Verifier(name, key);
  else if (type === NOTE_TYPE.ecdsa) verifier = rekorNoteVerifier(name, ecdsaKey(key));
  else
    throw new SignetError('unsupported', `verifier key type 0x${type.toString(16).padStart(2, '0')} is not supported`);
  if (hex8(verifier.keyHash) !== hashHex) throw invalidInput(`verifier key hash ${hashHex} does not match its key`);
  return verifier;
}

/** The vkey text of an Ed25519 key (type 0x01, or 0x04 for a witness cosigning key). */
export function formatVerifierKey(name: string, publicKey: KeyObject, type: 0x01 | 0x04 = NOTE_TYPE.ed25519): string {
  checkName(name);
  const material = Buffer.concat([Buffer.from([type]), rawEd25519PublicKey(publicKey)]);
  return `${name}+${hex8(noteKeyId(name, type, material.subarray(1)).readUInt32BE(0))}+${material.toString('base64')}`;
}

/** Parses a Go skey (Ed25519 only) into its name, key hash and private key. */
export function parseSignerKey(skey: string): { name: string; keyHash: number; privateKey: KeyObject } {
  const [p1, p2, name, hashHex, b64] = splitFields(skey, 5, 'signer key');
  if (p1 !== 'PRIVATE' || p2 !== 'KEY') throw invalidInput('signer key does not start with PRIVATE+KEY+');
  const material = decodeKey(b64, 'signer key');
  if (material[0] !== NOTE_TYPE.ed25519 || material.length !== 33)
    throw invalidInput('signer key is not an Ed25519 seed');
  const privateKey = ed25519PrivateKeyFromSeed(material.subarray(1));
  const keyHash = noteKeyId(name, NOTE_TYPE.ed25519, rawEd25519PublicKey(privateKey)).readUInt32BE(0);
  if (hex8(keyHash) !== hashHex) throw invalidInput(`signer key hash ${hashHex} does not match its key`);
  return { name, keyHash, privateKey };
}

/** The skey text of an Ed25519 private key. */
export function formatSignerKey(name: string, privateKey: KeyObject): string {
  checkName(name);
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.crv !== 'Ed25519' || !jwk.d) throw new SignetError('unsupported', 'signer keys must be Ed25519 private keys');
  const seed = Buffer.from(jwk.d, 'base64url');
  const hash = noteKeyId(name, NOTE_TYPE.ed25519, rawEd25519PublicKey(privateKey)).readUInt32BE(0);
  return `PRIVATE+KEY+${name}+${hex8(hash)}+${Buffer.concat([Buffer.from([1]), seed]).toString('base64')}`;
}

function splitFields(text: string, n: number, what: string): string[] {
  if (typeof text !== 'string') throw invalidInput(`${what} is not text`);
  const parts: string[] = [];
  let rest = text.trim();
  for (let i = 0; i < n - 1; i++) {
    const at = rest.indexOf('+');
    if (at < 0) throw invalidInput(`${what} does not have ${n} "+"-separated fields`);
    parts.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  parts.push(rest);
  const name = parts[n - 3]!;
  checkName(name);
  if (!/^[0-9a-f]{8}$/.test(parts[n - 2]!)) throw invalidInput(`${what} hash is not 8 lowercase hex digits`);
  return parts;
}

function decodeKey(b64: string, what: string): Buffer {
  const material = Buffer.from(b64, 'base64');
  if (material.length < 2 || material.toString('base64') !== b64) throw invalidInput(`${what} material is not base64`);
  return material;
}

function ecdsaKey(spki: Buffer): KeyObject {
  try {
    const key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec') throw new Error('not an EC key');
    return key;
  } catch (e) {
    throw invalidInput('ECDSA verifier key is not an EC SubjectPublicKeyInfo', e);
  }
}
