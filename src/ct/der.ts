import { invalidInput } from '../errors.js';

/**
 * Just enough DER to cut an extension out of a TBSCertificate without re-encoding anything else: CT needs the
 * TBS bytes exactly as the CA wrote them, and a full ASN.1 round trip could normalise a field the client keeps.
 */
interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  valueStart: number;
  end: number;
}

function readTlv(buf: Buffer, start: number, limit: number): Tlv {
  if (start + 2 > limit) throw invalidInput('certificate DER is truncated');
  const tag = buf[start]!;
  if ((tag & 0x1f) === 0x1f) throw invalidInput('certificate DER uses a high tag number');
  let len = buf[start + 1]!;
  let valueStart = start + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || valueStart + n > limit) throw invalidInput('certificate DER has a bad length');
    len = buf.readUIntBE(valueStart, n);
    valueStart += n;
  }
  const end = valueStart + len;
  if (end > limit) throw invalidInput('certificate DER is truncated');
  return { tag, start, valueStart, end };
}

function children(buf: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.valueStart; pos < parent.end;) {
    const c = readTlv(buf, pos, parent.end);
    out.push(c);
    pos = c.end;
  }
  return out;
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function encodeTlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(value.length), value]);
}

/** The TBSCertificate of a certificate, and its parts, as raw DER. */
function tbsParts(certDer: Buffer): { tbs: Tlv; fields: Tlv[] } {
  const cert = readTlv(certDer, 0, certDer.length);
  if (cert.tag !== 0x30 || cert.end !== certDer.length) throw invalidInput('not a DER certificate');
  const tbs = children(certDer, cert)[0];
  if (!tbs || tbs.tag !== 0x30) throw invalidInput('certificate has no TBSCertificate');
  return { tbs, fields: children(certDer, tbs) };
}

/** The raw SubjectPublicKeyInfo (the field after subject; after an optional [0] version). */
export function subjectPublicKeyInfo(certDer: Buffer): Buffer {
  const { fields } = tbsParts(certDer);
  const spki = fields[fields[0]?.tag === 0xa0 ? 6 : 5];
  if (!spki || spki.tag !== 0x30) throw invalidInput('certificate has no subject public key info');
  return certDer.subarray(spki.start, spki.end);
}

/** OIDs of the certificate's extensions, in order. */
export function extensionOids(certDer: Buffer): Buffer[] {
  return extensions(certDer).list.map((e) => e.oid);
}

function extensions(certDer: Buffer) {
  const { tbs, fields } = tbsParts(certDer);
  const wrapper = fields.find((f) => f.tag === 0xa3);
  const seq = wrapper && children(certDer, wrapper)[0];
  const list = seq
    ? children(certDer, seq).map((ext) => {
        const oid = children(certDer, ext)[0];
        if (!oid || oid.tag !== 0x06) throw invalidInput('certificate extension has no OID');
        return { tlv: ext, oid: certDer.subarray(oid.valueStart, oid.end) };
      })
    : [];
  return { tbs, fields, wrapper, list };
}

/**
 * The TBSCertificate DER with every extension whose OID (content bytes) is `oid` removed, the rest byte-for-byte
 * as it was. When no extension is left the `[3] extensions` field goes too, as Go's BuildPrecertTBS does.
 */
export function tbsWithoutExtension(certDer: Buffer, oid: Buffer): Buffer {
  const { tbs, fields, wrapper, list } = extensions(certDer);
  const slice = (t: Tlv) => certDer.subarray(t.start, t.end);
  const kept = list.filter((e) => !e.oid.equals(oid)).map((e) => slice(e.tlv));
  const rebuilt = fields.flatMap((f) => {
    if (f !== wrapper) return [slice(f)];
    return kept.length ? [encodeTlv(0xa3, encodeTlv(0x30, Buffer.concat(kept)))] : [];
  });
  return encodeTlv(tbs.tag, Buffer.concat(rebuilt));
}

/** OID content bytes for the CT extensions (RFC 6962 §3.1, §3.3). */
export const OID_CT_POISON = Buffer.from('2b06010401d679020403', 'hex'); // 1.3.6.1.4.1.11129.2.4.3
export const OID_CT_SCT_LIST = Buffer.from('2b06010401d679020402', 'hex'); // 1.3.6.1.4.1.11129.2.4.2
export const OID_CT_PRECERT_SIGNING = Buffer.from('2b06010401d679020404', 'hex'); // 1.3.6.1.4.1.11129.2.4.4
