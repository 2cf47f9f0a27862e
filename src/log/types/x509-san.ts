/**
 * Subject alternative names in the order Rekor indexes them (sigstore's `cryptoutils.GetSubjectAlternateNames`):
 * DNS names, emails, IP addresses, URIs, then the one Fulcio OtherName (1.3.6.1.4.1.57264.1.7) if present.
 * A small DER walk over the certificate keeps this cheap on the upload path.
 */
interface Tlv {
  tag: number;
  start: number; // first content byte
  end: number; // one past the last content byte
}

function readTlv(buf: Buffer, pos: number, limit: number): Tlv {
  if (pos + 2 > limit) throw new Error('truncated DER');
  const tag = buf[pos]!;
  let len = buf[pos + 1]!;
  let start = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > limit) throw new Error('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  if (start + len > limit) throw new Error('truncated DER');
  return { tag, start, end: start + len };
}

function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.start; pos < parent.end;) {
    const t = readTlv(buf, pos, parent.end);
    out.push(t);
    pos = t.end;
  }
  return out;
}

const SAN_OID = Buffer.from('0603551d11', 'hex');
const FULCIO_OTHERNAME_OID = Buffer.from('060a2b0601040183bf300107', 'hex');

/** The SAN extension's GeneralNames content, or undefined when the certificate has none. */
function sanExtension(der: Buffer): { buf: Buffer; names: Tlv } | undefined {
  const cert = readTlv(der, 0, der.length);
  const tbs = children(der, cert)[0];
  if (!tbs) return undefined;
  const exts = children(der, tbs).find((t) => t.tag === 0xa3);
  if (!exts) return undefined;
  const list = children(der, exts)[0];
  if (!list) return undefined;
  for (const ext of children(der, list)) {
    const parts = children(der, ext);
    if (!parts[0] || !der.subarray(parts[0].start - 2, parts[0].end).equals(SAN_OID)) continue;
    const value = parts[parts.length - 1]!;
    const names = readTlv(der, value.start, value.end);
    return { buf: der, names };
  }
  return undefined;
}

export function subjectAlternateNames(der: Buffer): string[] {
  try {
    return readSans(der);
  } catch {
    return []; // a certificate node:crypto parsed but whose SAN we cannot walk has no names to index
  }
}

function readSans(der: Buffer): string[] {
  const san = sanExtension(der);
  if (!san) return [];
  const { buf, names } = san;
  const dns: string[] = [];
  const emails: string[] = [];
  const ips: string[] = [];
  const uris: string[] = [];
  const others: (string | undefined)[] = [];
  for (const n of children(buf, names)) {
    const text = () => buf.subarray(n.start, n.end).toString('latin1');
    if (n.tag === 0x82) dns.push(text());
    else if (n.tag === 0x81) emails.push(text());
    else if (n.tag === 0x87) ips.push(formatIp(buf.subarray(n.start, n.end)));
    else if (n.tag === 0x86) uris.push(text());
    else if (n.tag === 0xa0) others.push(otherName(buf, n));
  }
  // Go's UnmarshalOtherNameSAN returns a value only when exactly one OtherName is present and it is Fulcio's.
  const other = others.length === 1 && others[0] !== undefined ? [others[0]] : [];
  return [...dns, ...emails, ...ips, ...uris, ...other];
}

function otherName(buf: Buffer, n: Tlv): string | undefined {
  const parts = children(buf, n);
  if (parts.length !== 2 || !buf.subarray(parts[0]!.start - 2, parts[0]!.end).equals(FULCIO_OTHERNAME_OID)) {
    return undefined;
  }
  const inner = readTlv(buf, parts[1]!.start, parts[1]!.end);
  if (inner.tag !== 0x0c) return undefined;
  return buf.subarray(inner.start, inner.end).toString('utf8');
}

/** Go's net.IP.String(): dotted quad for IPv4 (and IPv4-mapped IPv6), RFC 5952 text otherwise. */
function formatIp(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length !== 16) return '?' + b.toString('hex');
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return [...b.subarray(12)].join('.');
  const groups = Array.from({ length: 8 }, (_, i) => b.readUInt16BE(i * 2));
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestAt, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestAt < 0) return hex.join(':');
  return hex.slice(0, bestAt).join(':') + '::' + hex.slice(bestAt + bestLen).join(':');
}
