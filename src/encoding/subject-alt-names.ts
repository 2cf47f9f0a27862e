/**
 * Subject alternative names as Sigstore lists them (sigstore/sigstore `cryptoutils.GetSubjectAlternateNames`, which
 * cosign matches `--certificate-identity` against and Rekor indexes): DNS names, emails, IP addresses, URIs, then
 * Fulcio's OtherName (1.3.6.1.4.1.57264.1.7) when it is the one OtherName present. What Go's x509 parser refuses
 * (a name that is not ASCII, an IP address that is not 4 or 16 bytes) is invalid-input.
 */
import { invalidInput } from '../errors.js';
import { extensionValue } from './certificate-der.js';
import { TAG, derChildren, derValue, readDer, type Der } from './der.js';

const SAN_OID = Buffer.from('551d11', 'hex'); // 2.5.29.17
const FULCIO_OTHERNAME_OID = Buffer.from('2b0601040183bf300107', 'hex'); // 1.3.6.1.4.1.57264.1.7

/**
 * The SANs of a certificate (DER), in cryptoutils' order; [] when it has no SAN extension.
 * @example subjectAltNames(new X509Certificate(pem).raw) // ['alice@example.com']
 */
export function subjectAltNames(certDer: Buffer): string[] {
  const value = extensionValue(certDer, SAN_OID);
  return value ? generalNames(value) : [];
}

/** The same from the SAN extension's value (the GeneralNames SEQUENCE). */
export function generalNames(extnValue: Buffer): string[] {
  const names = readDer(extnValue);
  if (names.tag !== TAG.sequence || names.end !== extnValue.length) throw malformed();
  const dns: string[] = [];
  const emails: string[] = [];
  const ips: string[] = [];
  const uris: string[] = [];
  const others: (string | undefined)[] = [];
  for (const n of derChildren(names)) {
    if (n.tag === 0x82) dns.push(ia5(n));
    else if (n.tag === 0x81) emails.push(ia5(n));
    else if (n.tag === 0x87) ips.push(formatIp(derValue(n)));
    else if (n.tag === 0x86) uris.push(ia5(n));
    else if (n.tag === 0xa0) others.push(otherName(n));
  }
  // cryptoutils.UnmarshalOtherNameSAN gives a value only when exactly one OtherName is present and it is Fulcio's.
  const other = others.length === 1 && others[0] !== undefined ? [others[0]] : [];
  return [...dns, ...emails, ...ips, ...uris, ...other];
}

const malformed = () => invalidInput('the subject alternative name extension is malformed');

function ia5(n: Der): string {
  const bytes = derValue(n);
  if (bytes.some((b) => b > 0x7f)) throw malformed();
  return bytes.toString('latin1');
}

function otherName(n: Der): string | undefined {
  const parts = derChildren(n);
  if (parts.length !== 2 || parts[0]!.tag !== TAG.oid || !derValue(parts[0]!).equals(FULCIO_OTHERNAME_OID)) {
    return undefined;
  }
  const inner = readDer(n.buf, parts[1]!.valueStart, parts[1]!.end);
  if (inner.tag !== TAG.utf8String) return undefined;
  return derValue(inner).toString('utf8');
}

/** Go's net.IP.String(): dotted quad for IPv4 (and IPv4-mapped IPv6), RFC 5952 text otherwise. */
function formatIp(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  if (b.length !== 16) throw malformed();
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
