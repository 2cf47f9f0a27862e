import { createHash, createPublicKey, verify } from 'node:crypto';
import { isStdBase64 } from '../encoding/index.js';

/**
 * minisign keys and signatures (https://jedisct1.github.io/minisign/): Ed25519 over the file ("Ed") or over its
 * BLAKE2b-512 digest ("ED", prehashed, minisign's default since 0.10). Parsing follows go-minisign as Rekor uses
 * it: a public key may be the two-line .pub file, its base64 line alone, or 32 raw bytes; a signature is the
 * four-line .minisig file or just its first two lines.
 */
export interface MinisignPublicKey {
  algorithm: Buffer; // 2 bytes, "Ed"
  keyId: Buffer; // 8 bytes
  publicKey: Buffer; // 32 bytes
}

export interface MinisignSignature {
  algorithm: Buffer; // "Ed" or "ED"
  keyId: Buffer;
  signature: Buffer; // 64 bytes
}

/** Go's base64.StdEncoding.DecodeString: CR and LF are skipped, padding is required. */
function goBase64(s: string): Buffer | undefined {
  const compact = s.replace(/[\r\n]/g, '');
  return isStdBase64(compact) ? Buffer.from(compact, 'base64') : undefined;
}

function keyFromBytes(bin: Buffer | undefined): MinisignPublicKey | undefined {
  if (!bin || bin.length !== 42) return undefined;
  return { algorithm: bin.subarray(0, 2), keyId: bin.subarray(2, 10), publicKey: bin.subarray(10, 42) };
}

export function parseMinisignPublicKey(raw: Buffer): MinisignPublicKey {
  const text = raw.toString('latin1');
  const nl = text.indexOf('\n');
  const fromFile = nl >= 0 ? keyFromBytes(goBase64(text.slice(nl + 1))) : undefined;
  const key = fromFile ?? keyFromBytes(goBase64(text));
  if (key) return key;
  if (raw.length === 32) return { algorithm: Buffer.from('Ed'), keyId: Buffer.alloc(8), publicKey: raw };
  throw new Error('unable to read minisign public key');
}

export function parseMinisignSignature(raw: Buffer): MinisignSignature {
  const text = raw.toString('latin1');
  const lines = text.split('\n');
  let bin: Buffer | undefined;
  if (lines.length >= 4) {
    const rest = lines.slice(3).join('\n');
    const first = goBase64(lines[1]!);
    const global = goBase64(rest);
    if (first?.length === 74 && global?.length === 64) bin = first;
  }
  if (!bin) {
    const two = text.replace(/\n+$/, '').split('\n');
    if (two.length !== 2) throw new Error(`invalid signature provided: ${two.length} lines detected`);
    bin = goBase64(two[1]!);
    if (!bin) throw new Error('invalid signature provided: base64 decoding failed');
    if (bin.length !== 74) throw new Error(`invalid signature provided: incorrect size ${bin.length} detected`);
  }
  return { algorithm: bin.subarray(0, 2), keyId: bin.subarray(2, 10), signature: bin.subarray(10, 74) };
}

export function minisignKeyText(k: MinisignPublicKey): string {
  return Buffer.concat([k.algorithm, k.keyId, k.publicKey]).toString('base64');
}

/** The signature as Rekor stores it: untrusted comment line and the signature line; trusted comment dropped. */
export function minisignSignatureText(s: MinisignSignature): string {
  return 'untrusted comment:\n' + Buffer.concat([s.algorithm, s.keyId, s.signature]).toString('base64');
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Verifies the file signature (not the trusted-comment signature, which Rekor does not store either). */
export function verifyMinisign(sig: MinisignSignature, key: MinisignPublicKey, message: Buffer): boolean {
  const prehashed = sig.algorithm[1] === 0x44; // 'D'
  const data = prehashed ? createHash('blake2b512').update(message).digest() : message;
  try {
    const pub = createPublicKey({
      key: Buffer.concat([ED25519_SPKI_PREFIX, key.publicKey]),
      format: 'der',
      type: 'spki',
    });
    return verify(null, data, pub, sig.signature);
  } catch {
    return false;
  }
}
