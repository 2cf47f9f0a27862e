import { createPublicKey, type KeyObject } from 'node:crypto';
import { SshReader, sshMpint, sshString } from './ssh-wire.js';

/**
 * OpenSSH public keys: the authorized_keys line (`ssh-ed25519 AAAA... comment`) and the wire blob inside it.
 * Supported: ssh-ed25519, ecdsa-sha2-nistp256/384/521 and ssh-rsa, the types `ssh-keygen -Y sign` uses.
 */
export interface SshPublicKey {
  type: string;
  /** The key blob re-encoded canonically (what Go's `ssh.PublicKey.Marshal()` returns). */
  blob: Buffer;
  key: KeyObject;
  comment: string;
}

const CURVES: Record<string, { ident: string; jwk: string; size: number }> = {
  'ecdsa-sha2-nistp256': { ident: 'nistp256', jwk: 'P-256', size: 32 },
  'ecdsa-sha2-nistp384': { ident: 'nistp384', jwk: 'P-384', size: 48 },
  'ecdsa-sha2-nistp521': { ident: 'nistp521', jwk: 'P-521', size: 66 },
};

export const SSH_KEY_TYPES = ['ssh-ed25519', 'ssh-rsa', ...Object.keys(CURVES)];

export function sshCurveSize(type: string): number | undefined {
  return CURVES[type]?.size;
}

/** Parses an SSH public key blob; throws Error with a short reason. */
export function parseSshPublicKeyBlob(blob: Buffer): Omit<SshPublicKey, 'comment'> {
  const r = new SshReader(blob);
  const type = r.text();
  if (type === 'ssh-ed25519') {
    const pk = r.string();
    r.end();
    if (pk.length !== 32) throw new Error('invalid ed25519 key length');
    const key = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, pk]), format: 'der', type: 'spki' });
    return { type, blob: Buffer.concat([sshString(type), sshString(pk)]), key };
  }
  if (type === 'ssh-rsa') {
    const e = r.mpint();
    const n = r.mpint();
    r.end();
    const key = createPublicKey({
      key: { kty: 'RSA', n: n.toString('base64url'), e: e.toString('base64url') },
      format: 'jwk',
    });
    return { type, blob: Buffer.concat([sshString(type), sshMpint(e), sshMpint(n)]), key };
  }
  const curve = CURVES[type];
  if (curve) {
    const ident = r.text();
    const q = r.string();
    r.end();
    if (ident !== curve.ident) throw new Error('ecdsa curve does not match the key type');
    if (q.length !== 1 + 2 * curve.size || q[0] !== 4) throw new Error('invalid ecdsa point');
    const jwk = {
      kty: 'EC',
      crv: curve.jwk,
      x: q.subarray(1, 1 + curve.size).toString('base64url'),
      y: q.subarray(1 + curve.size).toString('base64url'),
    };
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    return { type, blob: Buffer.concat([sshString(type), sshString(ident), sshString(q)]), key };
  }
  throw new Error(`unsupported ssh key type ${JSON.stringify(type.slice(0, 64))}`);
}

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * Reads the first key of an authorized_keys text like Go's `ssh.ParseAuthorizedKey`: blank lines and `#` comments
 * are skipped; the line is `<type> <base64 blob> [comment]`. Key options before the type are not supported.
 */
export function parseAuthorizedKey(text: string): SshPublicKey {
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)[ \t]+([A-Za-z0-9+/=]+)(?:[ \t]+(.*))?$/.exec(line);
    if (!m) throw new Error('not an authorized_keys line');
    if (!SSH_KEY_TYPES.includes(m[1]!))
      throw new Error(`unsupported ssh key type ${JSON.stringify(m[1]!.slice(0, 64))}`);
    if (m[2]!.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(m[2]!)) throw new Error('bad base64');
    const parsed = parseSshPublicKeyBlob(Buffer.from(m[2]!, 'base64'));
    return { ...parsed, comment: (m[3] ?? '').trim() };
  }
  throw new Error('no key found');
}

/** The authorized_keys form Go's `ssh.MarshalAuthorizedKey` writes: type, base64 blob, newline; no comment. */
export function marshalAuthorizedKey(key: Pick<SshPublicKey, 'type' | 'blob'>): string {
  return `${key.type} ${key.blob.toString('base64')}\n`;
}
