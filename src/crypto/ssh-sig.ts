import { createHash, verify } from 'node:crypto';
import { parseSshPublicKeyBlob, sshCurveSize, type SshPublicKey } from './ssh-key.js';
import { SshReader, sshString, sshUint32 } from './ssh-wire.js';

/**
 * OpenSSH signatures (PROTOCOL.sshsig), as `ssh-keygen -Y sign -n <namespace>` writes them:
 * "SSHSIG" || uint32 version || string publickey || string namespace || string reserved || string hash_algorithm
 * || string signature, armored as "SSH SIGNATURE". The signed data is "SSHSIG" || string namespace ||
 * string reserved || string hash_algorithm || string H(message).
 */
export interface SshSignature {
  publicKey: Omit<SshPublicKey, 'comment'>;
  namespace: string;
  reserved: Buffer;
  hashAlgorithm: 'sha256' | 'sha512';
  /** The inner signature: its algorithm name, blob and any trailing bytes (security-key signatures). */
  format: string;
  blob: Buffer;
  rest: Buffer;
}

const MAGIC = Buffer.from('SSHSIG', 'latin1');

/** Parses the binary SSHSIG structure (the armored body). Throws Error with a short reason. */
export function parseSshSignature(data: Buffer): SshSignature {
  const r = new SshReader(data);
  if (!r.bytes(6).equals(MAGIC)) throw new Error('invalid magic header');
  const version = r.uint32();
  if (version !== 1) throw new Error(`unsupported signature version ${version}`);
  const publicKey = parseSshPublicKeyBlob(r.string());
  const namespace = r.text();
  const reserved = r.string();
  const hashAlgorithm = r.text();
  if (hashAlgorithm !== 'sha256' && hashAlgorithm !== 'sha512') {
    throw new Error(`unsupported hash algorithm ${JSON.stringify(hashAlgorithm.slice(0, 32))}`);
  }
  const inner = new SshReader(r.string());
  r.end();
  const format = inner.text();
  const blob = inner.string();
  return { publicKey, namespace, reserved, hashAlgorithm, format, blob, rest: inner.rest() };
}

/** Serializes an SSHSIG structure (unarmored). */
export function marshalSshSignature(s: SshSignature): Buffer {
  const inner = Buffer.concat([sshString(s.format), sshString(s.blob), s.rest]);
  return Buffer.concat([
    MAGIC,
    sshUint32(1),
    sshString(s.publicKey.blob),
    sshString(s.namespace),
    sshString(s.reserved),
    sshString(s.hashAlgorithm),
    sshString(inner),
  ]);
}

/** The bytes the inner signature covers for `message` under this signature's namespace and hash algorithm. */
export function sshSignedData(s: Pick<SshSignature, 'namespace' | 'hashAlgorithm'>, message: Buffer): Buffer {
  const digest = createHash(s.hashAlgorithm).update(message).digest();
  return Buffer.concat([MAGIC, sshString(s.namespace), sshString(''), sshString(s.hashAlgorithm), sshString(digest)]);
}

/**
 * Verifies the inner signature over `signedData` with `key` as Go's x/crypto/ssh does: the signature format must
 * suit the key (ssh-ed25519; ecdsa-sha2-<curve> with the curve's hash; ssh-rsa/rsa-sha2-256/rsa-sha2-512).
 */
export function verifySshSignature(key: Omit<SshPublicKey, 'comment'>, s: SshSignature, signedData: Buffer): boolean {
  try {
    if (s.rest.length !== 0) return false;
    if (key.type === 'ssh-ed25519') {
      return s.format === 'ssh-ed25519' && verify(null, signedData, key.key, s.blob);
    }
    if (key.type === 'ssh-rsa') {
      const hash = { 'ssh-rsa': 'sha1', 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512' }[s.format];
      return hash !== undefined && verify(hash, signedData, key.key, s.blob);
    }
    const size = sshCurveSize(key.type);
    if (size === undefined || s.format !== key.type) return false;
    const r = new SshReader(s.blob);
    const rs = [r.mpint(), r.mpint()];
    r.end();
    if (rs.some((x) => x.length > size)) return false;
    const p1363 = Buffer.concat(rs.map((x) => Buffer.concat([Buffer.alloc(size - x.length), x])));
    const hash = size === 32 ? 'sha256' : size === 48 ? 'sha384' : 'sha512';
    return verify(hash, signedData, { key: key.key, dsaEncoding: 'ieee-p1363' }, p1363);
  } catch {
    return false;
  }
}
