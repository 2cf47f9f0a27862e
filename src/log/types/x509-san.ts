/**
 * Subject alternative names in the order Rekor indexes them (sigstore's `cryptoutils.GetSubjectAlternateNames`):
 * DNS names, emails, IP addresses, URIs, then the one Fulcio OtherName (1.3.6.1.4.1.57264.1.7) if present.
 * A small DER walk over the certificate (encoding/'s reader) keeps this cheap on the upload path.
 */
import { derChildren, derValue, extensionValue, readDer, type Der } from '../../encoding/index.js';

const SAN_OID = Buffer.from('551d11', 'hex'); // 2.5.29.17
const FULCIO_OTHERNAME_OID = Buffer.from('2b0601040183bf300107', 'hex'); // 1.3.6.1.4.1.57264.1.7

export function subjectAlternateNames(der: Buffer): string[] {
  try {
    return readSans(der);
  } catch {
    return []; // a certificate node:crypto parsed but whose SAN we cannot walk has no names to index
  }
}

function readSans(der: Buffer): string[] {
  const value = extensionValue(der, SAN_OID);
  if (!value) return [];
  const names = readDer(value);
  const dns: string[] = [];
  const emails: string[] = [];
  const ips: string[] = [];
  const uris: string[] = [];
  const others: (string | undefined)[] = [];
  for (const n of derChildren(names)) {
    const text = () => derValue(n).toString('latin1');
    if (n.tag === 0x82) dns.push(text());
    else if (n.tag === 0x81) emails.push(text());
    else if (n.tag === 0x87) ips.push(formatIp(derValue(n)));
    else if (n.tag === 0x86) uris.push(text());
    else if (n.tag === 0xa0) others.push(otherName(n));
  }
  // Go's UnmarshalOtherNameSAN returns a value only when exactly one OtherName is present and it is Fulcio's.
  const other = others.length === 1 && others[0] !== undefined ? [others[0]] : [];
  return [...dns, ...emails, ...ips, ...uris, ...other];
}

function otherName(n: Der): string | undefined {
  const parts = derChildren(n);
  if (parts.length !== 2 || parts[0]!.tag !== 0x06 || !derValue(parts[0]!).equals(FULCIO_OTHERNAME_OID)) {
    return undefined;
  }
  const inner = readDer(n.buf, parts[1]!.valueStart, parts[1]!.end);
  if (inner.tag !== 0x0c) return undefined;
  return derValue(inner).toString('utf8');
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
