/** A minimal DER reader: enough to walk X.509 certificates and SubjectPublicKeyInfo. Throws on malformed input. */

export interface Tlv {
  /** The identifier octet (class, constructed bit and tag number < 31). */
  tag: number;
  /** Content octets. */
  value: Uint8Array;
  /** The whole element, header included. */
  raw: Uint8Array;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTF8: 0x0c,
  PRINTABLE: 0x13,
  IA5: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

/** Reads one element at `at`; returns it and the offset after it. */
export function readTlv(buf: Uint8Array, at = 0): { tlv: Tlv; next: number } {
  if (at + 2 > buf.length) throw new Error('DER: truncated header');
  const tag = buf[at]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('DER: multi-byte tags are not supported');
  let len = buf[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('DER: bad length');
    if (start + n > buf.length) throw new Error('DER: truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[start + i]!;
    start += n;
  }
  const end = start + len;
  if (end > buf.length) throw new Error('DER: element runs past the end');
  return { tlv: { tag, value: buf.subarray(start, end), raw: buf.subarray(at, end) }, next: end };
}

/** The single element filling `buf` (trailing bytes are an error). */
export function parseDer(buf: Uint8Array): Tlv {
  const { tlv, next } = readTlv(buf);
  if (next !== buf.length) throw new Error('DER: trailing bytes');
  return tlv;
}

/** The children of a constructed element. */
export function children(t: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = 0; at < t.value.length;) {
    const r = readTlv(t.value, at);
    out.push(r.tlv);
    at = r.next;
  }
  return out;
}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new Error(`DER: expected ${what}`);
  return t;
}

/** Dotted form of an OBJECT IDENTIFIER's content octets. */
export function oidString(value: Uint8Array): string {
  if (value.length === 0) throw new Error('DER: empty OID');
  const parts: number[] = [];
  let n = 0;
  for (const b of value) {
    n = n * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  const first = parts.shift()!;
  const a = first < 80 ? Math.floor(first / 40) : 2;
  return [a, first - 40 * a, ...parts].join('.');
}

const decoder = new TextDecoder();

/** Any ASN.1 string type as text (UTF8String, PrintableString, IA5String, ...). */
export function stringValue(t: Tlv): string {
  return decoder.decode(t.value);
}

/** UTCTime or GeneralizedTime (Zulu forms, as X.509 requires) as a Date. */
export function timeValue(t: Tlv): Date {
  const s = stringValue(t);
  const m = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new Error(`DER: bad time ${s}`);
  let year = Number(m[1]);
  if (t.tag === TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])));
}
