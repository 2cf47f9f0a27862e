import { SignetError } from '../errors.js';
import type { IssuedCertificate } from './fulcio-client.js';

/** RFC 6962 embedded SCT list extension, 1.3.6.1.4.1.11129.2.4.2, as DER OID content bytes. */
const SCT_LIST_OID = Buffer.from('2b06010401d679020402', 'hex');

/**
 * A keyless signature is only verifiable (cosign, sigstore-js) when the certificate carries an SCT. Checks the leaf
 * has a non-empty embedded SCT list; a detached-SCT answer is refused, as sigstore-go does for v2 bundles.
 */
export function requireEmbeddedSct(issued: IssuedCertificate): void {
  const value = issued.embeddedSct ? extensionValue(issued.leaf.raw, SCT_LIST_OID) : undefined;
  if (!value || value.length < 4) {
    throw new SignetError(
      'verification-failed',
      'fulcio: the certificate carries no embedded SCT (is the CA running without a CT log?)',
    );
  }
}

interface Tlv {
  tag: number;
  value: Buffer;
}

/** Splits DER content into its TLVs (definite lengths only, as DER requires). */
function tlvs(buf: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let pos = 0;
  while (pos + 2 <= buf.length) {
    const tag = buf[pos]!;
    let len = buf[pos + 1]!;
    let start = pos + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 4 || start + n > buf.length) throw badDer();
      len = buf.readUIntBE(start, n);
      start += n;
    }
    if (start + len > buf.length) throw badDer();
    out.push({ tag, value: buf.subarray(start, start + len) });
    pos = start + len;
  }
  return out;
}

const badDer = () => new SignetError('internal', 'fulcio: the leaf certificate is not valid DER');

/** The OCTET STRING content of the extension `oid` in a certificate, if present. */
function extensionValue(certDer: Buffer, oid: Buffer): Buffer | undefined {
  const cert = tlvs(certDer)[0];
  const tbs = cert && tlvs(cert.value)[0];
  const explicitExtensions = tbs && tlvs(tbs.value).find((t) => t.tag === 0xa3);
  if (!explicitExtensions) return undefined;
  const list = tlvs(explicitExtensions.value)[0];
  for (const ext of list ? tlvs(list.value) : []) {
    const [id, ...rest] = tlvs(ext.value);
    if (id?.tag === 0x06 && id.value.equals(oid)) return rest.find((t) => t.tag === 0x04)?.value;
  }
  return undefined;
}
