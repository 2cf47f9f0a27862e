/**
 * ASCII armor exactly as Go's openpgp/armor.Encode writes it (Rekor stores PGP keys and binary signatures this
 * way): BEGIN line, an empty line (no headers), base64 in 64-column lines, "=" + CRC-24 line, END line without a
 * trailing newline.
 */
const CRC24_INIT = 0xb704ce;
const CRC24_POLY = 0x1864cfb;

export function crc24(data: Buffer): number {
  let crc = CRC24_INIT;
  for (const b of data) {
    crc ^= b << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= CRC24_POLY;
    }
  }
  return crc & 0xffffff;
}

export function goArmor(blockType: string, data: Buffer): string {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  const c = crc24(data);
  const checksum = Buffer.from([(c >> 16) & 0xff, (c >> 8) & 0xff, c & 0xff]).toString('base64');
  return `-----BEGIN ${blockType}-----\n\n${lines.join('\n')}\n=${checksum}\n-----END ${blockType}-----`;
}
