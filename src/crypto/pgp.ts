import type * as OpenPGP from 'openpgp';

/** openpgp is large: load it on first use so commands that never see a PGP key start fast. */
const loadOpenpgp = () => import('openpgp');
import { goArmor } from './pgp-armor.js';
import { goEntities, userIdEmail } from './pgp-entity.js';
import { PGP_TAG, serializePacket, splitPackets } from './pgp-packets.js';

/**
 * OpenPGP public keys and detached signatures (as `gpg --detach-sign [--armor]` writes them), parsed with the
 * `openpgp` package, plus the canonical re-encodings Go's openpgp produces (Rekor stores those).
 */
export interface PgpPublicKeys {
  keys: OpenPGP.PublicKey[];
  /** The key ring re-serialized like Go's `Entity.Serialize` per entity, then armored by Go's encoder. */
  canonical: string;
  /** E-mail addresses of the user IDs, in key order. */
  emails: string[];
}

export interface PgpDetachedSignature {
  signature: OpenPGP.Signature;
  /** Armored input is kept verbatim; binary input is armored the Go way. */
  canonical: Buffer;
}

const ARMOR_START = '-----BEGIN PGP';

/** Reads a public key ring, armored (one or more blocks) or binary. Private keys are refused. */
export async function parsePgpPublicKeys(raw: Buffer): Promise<PgpPublicKeys> {
  const { binary, canonical, userIds } = canonicalPgpPublicKeys(raw);
  const openpgp = await loadOpenpgp();
  const keys = await openpgp.readKeys({ binaryKeys: binary });
  const emails = userIds.map(userIdEmail).filter((e) => e !== '');
  return { keys: keys as OpenPGP.PublicKey[], canonical, emails };
}

/** The Go re-serialization of a key ring without the full parse (enough to compute its index key). */
export function canonicalPgpPublicKeys(raw: Buffer): { binary: Buffer; canonical: string; userIds: string[] } {
  const isArmored = raw.subarray(0, ARMOR_START.length).toString('latin1') === ARMOR_START;
  const binary = isArmored ? dearmorKeyBlocks(raw.toString('latin1')) : raw;
  const packets = splitPackets(binary);
  if (packets.some((p) => p.tag === PGP_TAG.secretKey || p.tag === PGP_TAG.secretSubkey)) {
    throw new Error('a private key was given; send the public key');
  }
  const entities = goEntities(packets);
  const canonicalBinary = Buffer.concat(entities.flatMap((e) => e.packets).map(serializePacket));
  return {
    binary,
    canonical: goArmor('PGP PUBLIC KEY BLOCK', canonicalBinary),
    userIds: entities.flatMap((e) => e.userIds),
  };
}

/** Every armored block of the text, which must all be public key blocks, decoded and concatenated (one pass). */
function dearmorKeyBlocks(text: string): Buffer {
  const parts: Buffer[] = [];
  let type: string | undefined;
  let body: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[ \t\r]+$/, '');
    const begin = /^-----BEGIN (PGP [^-]*)-----$/.exec(line);
    if (begin) [type, body] = [begin[1], []];
    else if (type !== undefined && line === `-----END ${type}-----`) {
      if (type !== 'PGP PUBLIC KEY BLOCK') throw new Error('invalid PGP type detected');
      parts.push(dearmorBody(body.join('\n')));
      type = undefined;
    } else if (type !== undefined) body.push(line);
  }
  if (parts.length === 0) throw new Error('no complete armor block');
  return Buffer.concat(parts);
}

/** An armor body: optional "Key: value" headers, a blank line, base64 lines, an optional "=XXXX" checksum line. */
function dearmorBody(body: string): Buffer {
  const lines = body.split('\n').map((l) => l.replace(/[ \t\r]+$/, ''));
  let i = 0;
  while (i < lines.length && lines[i]!.includes(': ')) i++;
  if (i < lines.length && lines[i] === '') i++;
  const data: string[] = [];
  for (; i < lines.length; i++) {
    if (lines[i]!.startsWith('=') && lines[i]!.length === 5) break;
    data.push(lines[i]!);
  }
  const b64 = data.join('');
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new Error('bad base64 in armor');
  return Buffer.from(b64, 'base64');
}

/** Reads a detached signature, armored ("PGP SIGNATURE") or binary; the first packet must be a signature. */
export async function parsePgpSignature(raw: Buffer): Promise<PgpDetachedSignature> {
  const armored = raw.toString('latin1').includes('-----BEGIN PGP SIGNATURE-----');
  const openpgp = await loadOpenpgp();
  let binary: Buffer;
  if (armored) {
    const { type, data } = await openpgp.unarmor(raw.toString('utf8'));
    if (type !== openpgp.enums.armor.signature) throw new Error('invalid PGP signature provided');
    binary = Buffer.from(data as Uint8Array);
  } else binary = raw;
  const first = splitPackets(binary)[0];
  if (!first || first.tag !== PGP_TAG.signature) throw new Error('valid PGP signature was not detected');
  const signature = await openpgp.readSignature({ binarySignature: binary });
  const canonical = armored ? raw : Buffer.from(goArmor('PGP SIGNATURE', binary), 'latin1');
  return { signature, canonical };
}

/**
 * Verifies a detached signature over `message` with any key of the ring, judging key validity at the signature's
 * creation time (as Rekor does, so expired keys still verify what they signed while valid).
 */
export async function verifyPgpDetached(
  sig: PgpDetachedSignature,
  keys: PgpPublicKeys,
  message: Buffer,
): Promise<boolean> {
  const packet = sig.signature.packets[0];
  const date = packet?.created ?? new Date();
  const openpgp = await loadOpenpgp();
  try {
    const result = await openpgp.verify({
      message: await openpgp.createMessage({ binary: message }),
      signature: sig.signature,
      verificationKeys: keys.keys,
      date,
      expectSigned: true,
      format: 'binary',
    });
    return result.signatures.length > 0;
  } catch {
    return false;
  }
}
