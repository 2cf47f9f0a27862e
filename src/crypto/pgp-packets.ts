/**
 * OpenPGP packet framing (RFC 9580 §4.2): split a binary stream into (tag, body) pairs, reading both the old and
 * the new header formats, and write packets back with new-format headers as Go's openpgp does.
 */
export interface PgpPacket {
  tag: number;
  body: Buffer;
}

export const PGP_TAG = {
  signature: 2,
  publicKey: 6,
  secretKey: 5,
  userId: 13,
  publicSubkey: 14,
  secretSubkey: 7,
  userAttribute: 17,
  trust: 12,
} as const;

export function splitPackets(data: Buffer): PgpPacket[] {
  const packets: PgpPacket[] = [];
  let pos = 0;
  while (pos < data.length) {
    const first = data[pos++]!;
    if (!(first & 0x80)) throw new Error('invalid OpenPGP packet header');
    if (first & 0x40) {
      const tag = first & 0x3f;
      const { length, next, partial } = newLength(data, pos);
      if (partial) throw new Error('partial-length OpenPGP packets are not supported in keys and signatures');
      pos = take(packets, tag, data, next, length);
    } else {
      const tag = (first >> 2) & 0x0f;
      const lenType = first & 3;
      if (lenType === 3) throw new Error('indeterminate-length OpenPGP packets are not supported');
      const n = [1, 2, 4][lenType]!;
      if (pos + n > data.length) throw new Error('truncated OpenPGP packet header');
      const length = data.readUIntBE(pos, n);
      pos = take(packets, tag, data, pos + n, length);
    }
  }
  return packets;
}

function take(packets: PgpPacket[], tag: number, data: Buffer, start: number, length: number): number {
  if (start + length > data.length) throw new Error('truncated OpenPGP packet');
  packets.push({ tag, body: data.subarray(start, start + length) });
  return start + length;
}

function newLength(data: Buffer, pos: number): { length: number; next: number; partial: boolean } {
  if (pos >= data.length) throw new Error('truncated OpenPGP packet header');
  const b = data[pos]!;
  if (b < 192) return { length: b, next: pos + 1, partial: false };
  if (b < 224) {
    if (pos + 2 > data.length) throw new Error('truncated OpenPGP packet header');
    return { length: ((b - 192) << 8) + data[pos + 1]! + 192, next: pos + 2, partial: false };
  }
  if (b === 255) {
    if (pos + 5 > data.length) throw new Error('truncated OpenPGP packet header');
    return { length: data.readUInt32BE(pos + 1), next: pos + 5, partial: false };
  }
  return { length: 1 << (b & 0x1f), next: pos + 1, partial: true };
}

/** A packet with a new-format header and the shortest length encoding (Go's `serializeHeader`). */
export function serializePacket(p: PgpPacket): Buffer {
  const n = p.body.length;
  let len: Buffer;
  if (n < 192) len = Buffer.from([n]);
  else if (n < 8384) len = Buffer.from([((n - 192) >> 8) + 192, (n - 192) & 0xff]);
  else {
    len = Buffer.alloc(5);
    len[0] = 255;
    len.writeUInt32BE(n, 1);
  }
  return Buffer.concat([Buffer.from([0xc0 | p.tag]), len, p.body]);
}
