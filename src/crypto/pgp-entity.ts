import { createHash } from 'node:crypto';
import { PGP_TAG, type PgpPacket } from './pgp-packets.js';

/**
 * One key of a key ring as Go's openpgp reads (`ReadEntity`) and writes (`Entity.Serialize`) it, which is what Rekor
 * stores: the primary key, its revocations, each user ID that carries a self-signature with its certifications,
 * and each subkey with its revocations and newest binding signature. Direct-key signatures, user attributes, trust
 * and unknown packets are dropped. Go walks user IDs in map order; this keeps file order, which is what Go writes
 * for the usual single user ID.
 */
export interface GoEntity {
  packets: PgpPacket[];
  /** User ID strings Go keeps (those with a self-signature). */
  userIds: string[];
}

const SIG_TYPE = { keyRevocation: 0x20, subkeyBinding: 0x18, subkeyRevocation: 0x28 };
const CERT_TYPES = new Set([0x10, 0x11, 0x12, 0x13, 0x30]);

/** Splits a key ring's packets by primary key and rebuilds each entity. */
export function goEntities(packets: PgpPacket[]): GoEntity[] {
  const groups: PgpPacket[][] = [];
  for (const p of packets) {
    if (p.tag === PGP_TAG.publicKey) groups.push([p]);
    else if (groups.length === 0) throw new Error('first packet was not a public key');
    else groups[groups.length - 1]!.push(p);
  }
  return groups.map(goEntity);
}

interface UserIdGroup {
  uid: PgpPacket;
  sigs: PgpPacket[];
}
interface SubkeyGroup {
  key: PgpPacket;
  revocations: PgpPacket[];
  binding?: { p: PgpPacket; created: number };
}

function goEntity(packets: PgpPacket[]): GoEntity {
  const primary = packets[0]!;
  const revocations: PgpPacket[] = [];
  const uids: UserIdGroup[] = [];
  const subkeys: SubkeyGroup[] = [];
  let section: 'top' | 'uid' | 'skip' | 'subkey' = 'top';
  for (const p of packets.slice(1)) {
    if (p.tag === PGP_TAG.userId) [section] = ['uid', uids.push({ uid: p, sigs: [] })];
    else if (p.tag === PGP_TAG.publicSubkey) [section] = ['subkey', subkeys.push({ key: p, revocations: [] })];
    else if (p.tag === PGP_TAG.userAttribute) section = 'skip';
    else if (p.tag === PGP_TAG.signature) {
      const type = p.body[1];
      if (section === 'top' && type === SIG_TYPE.keyRevocation) revocations.push(p);
      else if (section === 'uid') {
        if (type === undefined || !CERT_TYPES.has(type)) throw new Error('user ID signature with wrong type');
        uids[uids.length - 1]!.sigs.push(p);
      } else if (section === 'subkey') addSubkeySignature(subkeys[subkeys.length - 1]!, p);
    }
  }
  const issuer = keyIdentity(primary);
  const kept = uids.filter((u) => u.sigs.some((s) => issuedBy(s, issuer)));
  const out = [primary, ...revocations, ...kept.flatMap((u) => [u.uid, ...u.sigs])];
  for (const s of subkeys) {
    if (!s.binding) throw new Error('subkey packet not followed by signature');
    out.push(s.key, ...s.revocations, s.binding.p);
  }
  return { packets: out, userIds: kept.map((u) => u.uid.body.toString('utf8')) };
}

function addSubkeySignature(s: SubkeyGroup, p: PgpPacket): void {
  const type = p.body[1];
  if (type === SIG_TYPE.subkeyRevocation) s.revocations.push(p);
  else if (type === SIG_TYPE.subkeyBinding) {
    const created = subpacket(p, 2)?.readUInt32BE(0) ?? 0;
    if (!s.binding || created > s.binding.created) s.binding = { p, created };
  } else throw new Error('subkey signature with wrong type');
}

/** A v4 key's fingerprint (SHA-1 over 0x99, length, body) and key ID (its last 8 bytes). */
function keyIdentity(key: PgpPacket): { fingerprint: Buffer; keyId: Buffer } {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(key.body.length);
  const fingerprint = createHash('sha1')
    .update(Buffer.from([0x99]))
    .update(len)
    .update(key.body)
    .digest();
  return { fingerprint, keyId: fingerprint.subarray(12) };
}

/** Go's `CheckKeyIdOrFingerprint`: the issuer fingerprint when present, else the issuer key ID. */
function issuedBy(sig: PgpPacket, key: { fingerprint: Buffer; keyId: Buffer }): boolean {
  const fpr = subpacket(sig, 33);
  if (fpr && fpr.length >= 21) return fpr.subarray(1).equals(key.fingerprint);
  return subpacket(sig, 16)?.equals(key.keyId) ?? false;
}

/** The first subpacket of `type` in a v4 signature's hashed, then unhashed, area. */
function subpacket(p: PgpPacket, type: number): Buffer | undefined {
  const b = p.body;
  if (b[0] !== 4 || b.length < 6) return undefined;
  const hashedEnd = 6 + b.readUInt16BE(4);
  if (hashedEnd + 2 > b.length) return undefined;
  const unhashedEnd = hashedEnd + 2 + b.readUInt16BE(hashedEnd);
  return findSubpacket(b, 6, hashedEnd, type) ?? findSubpacket(b, hashedEnd + 2, Math.min(unhashedEnd, b.length), type);
}

function findSubpacket(b: Buffer, start: number, end: number, type: number): Buffer | undefined {
  for (let pos = start; pos < end;) {
    let len = b[pos]!;
    let hdr = 1;
    if (len >= 192 && len < 255) [len, hdr] = [((len - 192) << 8) + (b[pos + 1] ?? 0) + 192, 2];
    else if (len === 255) [len, hdr] = [pos + 5 <= end ? b.readUInt32BE(pos + 1) : 0, 5];
    if (len === 0 || pos + hdr + len > end) return undefined;
    if ((b[pos + hdr]! & 0x7f) === type) return b.subarray(pos + hdr + 1, pos + hdr + len);
    pos += hdr + len;
  }
  return undefined;
}

/** The e-mail part of a user ID, by Go's `packet.parseUserId` state machine ("Name (Comment) <email>", bare address). */
export function userIdEmail(id: string): string {
  let state: 'name' | 'comment' | 'between' | 'email' | 'after' = 'name';
  let name = '';
  let email = '';
  for (const ch of id) {
    if (state === 'name') {
      if (ch === '(') state = 'comment';
      else if (ch === '<') state = 'email';
      else name += ch;
    } else if (state === 'comment') {
      if (ch === ')') state = 'between';
    } else if (state === 'between') {
      if (ch === '<') state = 'email';
    } else if (state === 'email') {
      if (ch === '>') state = 'after';
      else email += ch;
    }
  }
  email = email.trim();
  name = name.trim();
  return email === '' && name.includes('@') ? name : email;
}
