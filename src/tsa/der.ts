/**
 * The little DER a timestamp token needs, written directly: asn1js builds and walks an object tree per encode,
 * which cost milliseconds per token (most of a timestamp's time). Constants are encoded once by the caller and
 * spliced in as bytes.
 */

import { encodeTlv } from '../encoding/index.js';

/** A TLV with definite minimal length, its content the concatenation of `content`. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  return encodeTlv(tag, content.length === 1 ? content[0]! : Buffer.concat(content));
}

export const SEQUENCE = 0x30;
export const SET = 0x31;
export const INTEGER = 0x02;
export const OCTET_STRING = 0x04;
export const OID = 0x06;
export const GENERALIZED_TIME = 0x18;
/** Context tag [n], constructed (EXPLICIT, or IMPLICIT over a constructed type). */
export const context = (n: number) => 0xa0 | n;

/** A small non-negative INTEGER (0..127). */
export const smallInteger = (n: number) => Buffer.from([INTEGER, 1, n]);

/** An INTEGER from its content bytes, as given (the caller keeps them minimal and positive). */
export const integer = (content: Uint8Array) => tlv(INTEGER, Buffer.from(content));

/** An OBJECT IDENTIFIER from dotted form (arcs up to 2^64, as the request parser allows). */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  const first = arcs[0]! * 40n + arcs[1]!;
  const bytes = [first, ...arcs.slice(2)].flatMap((arc) => {
    const out = [Number(arc & 0x7fn)];
    for (let v = arc >> 7n; v > 0n; v >>= 7n) out.unshift(Number(v & 0x7fn) | 0x80);
    return out;
  });
  return tlv(OID, Buffer.from(bytes));
}

/** GeneralizedTime in whole seconds, `YYYYMMDDHHMMSSZ` (RFC 5280's form; DER allows no trailing zeros). */
export function generalizedTime(d: Date): Buffer {
  const s = d.toISOString(); // 2026-12-05T16:11:58.000Z
  const digits = s.slice(0, 19).replace(/[-T:]/g, '');
  return tlv(GENERALIZED_TIME, Buffer.from(`${digits}Z`, 'ascii'));
}
