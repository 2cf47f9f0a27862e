import { invalidInput } from '../errors.js';

/**
 * A read-only DER walker: enough to reach certificate extensions, SCT lists and RFC 3161 tokens without
 * re-encoding anything (CT and CMS sign the bytes exactly as they were written). Offsets index `buf`.
 * Malformed input is an `invalid-input` SignetError.
 */
export interface Der {
  buf: Buffer;
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the first content byte. */
  valueStart: number;
  end: number;
}

/** The SHA-2 digest algorithm OIDs (NIST CSOR; RFC 5754 §2) by their Node.js hash names. */
export const DIGEST_OIDS = {
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
} as const;
export type DigestName = keyof typeof DIGEST_OIDS;

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  sequence: 0x30,
  set: 0x31,
  utcTime: 0x17,
  generalizedTime: 0x18,
} as const;

export function readDer(buf: Buffer, start = 0, limit = buf.length): Der {
  if (start + 2 > limit) throw invalidInput('DER structure is truncated');
  const tag = buf[start]!;
  if ((tag & 0x1f) === 0x1f) throw invalidInput('DER structure uses a high tag number');
  let len = buf[start + 1]!;
  let valueStart = start + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || valueStart + n > limit) throw invalidInput('DER structure has a bad length');
    len = buf.readUIntBE(valueStart, n);
    valueStart += n;
  }
  const end = valueStart + len;
  if (end > limit) throw invalidInput('DER structure is truncated');
  return { buf, tag, start, valueStart, end };
}

/** Parses a whole buffer as one DER element (nothing may follow it). */
export function parseDer(buf: Buffer, what: string): Der {
  const node = readDer(buf);
  if (node.end !== buf.length) throw invalidInput(`${what} has trailing data`);
  return node;
}

export function derChildren(node: Der): Der[] {
  const out: Der[] = [];
  for (let pos = node.valueStart; pos < node.end;) {
    const child = readDer(node.buf, pos, node.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

export const derValue = (node: Der): Buffer => node.buf.subarray(node.valueStart, node.end);
export const derBytes = (node: Der): Buffer => node.buf.subarray(node.start, node.end);

export function expectTag(node: Der | undefined, tag: number, what: string): Der {
  if (!node || node.tag !== tag) throw invalidInput(`${what} is malformed`);
  return node;
}

/** Dotted form of an OBJECT IDENTIFIER's content bytes. */
export function oidString(value: Buffer): string {
  if (value.length === 0) return '';
  const parts: number[] = [];
  const first = value[0]!;
  let acc = 0;
  for (let i = 0; i < value.length; i++) {
    const b = value[i]!;
    acc = acc * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(acc);
      acc = 0;
    }
  }
  const head = parts.shift() ?? first;
  const a = head < 40 ? 0 : head < 80 ? 1 : 2;
  return [a, head - a * 40, ...parts].join('.');
}

/** A UTCTime or GeneralizedTime (Z form, optional fraction) as a Date. */
export function derTime(node: Der): Date {
  const s = derValue(node).toString('latin1');
  const m = /^(\d{2}|\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?Z$/.exec(s);
  if (!m || (node.tag === TAG.utcTime) !== (m[1]!.length === 2)) throw invalidInput(`bad DER time ${s}`);
  let year = Number(m[1]);
  if (node.tag === TAG.utcTime) year += year < 50 ? 2000 : 1900;
  const ms = m[7] ? Math.floor(Number(m[7]) * 1000) : 0;
  return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms));
}

export function encodeDerLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One DER element from a tag and its content. */
export function encodeTlv(tag: number, value: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeDerLength(value.length), value]);
}

/** An OBJECT IDENTIFIER element (tag and all) from its dotted form. */
export function encodeOid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new Error(`bad OID ${dotted}`);
  const bytes: number[] = [];
  for (const arc of [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)]) {
    const base128 = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) base128.unshift((v & 0x7f) | 0x80);
    bytes.push(...base128);
  }
  return encodeTlv(TAG.oid, Buffer.from(bytes));
}

/** X.509 `Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }` (DER omits a false critical). */
export function encodeExtension(oid: Buffer, critical: boolean, value: Buffer): Buffer {
  const parts = [oid, ...(critical ? [Buffer.from([TAG.boolean, 1, 0xff])] : []), encodeTlv(TAG.octetString, value)];
  return encodeTlv(TAG.sequence, Buffer.concat(parts));
}
