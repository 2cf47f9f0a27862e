import { AsnConvert } from '@peculiar/asn1-schema';
import { TimeStampReq } from '@peculiar/asn1-tsp';
import { DIGEST_OIDS, type DigestName } from '../encoding/index.js';
import { SignetError, invalidInput } from '../errors.js';

export type HashName = DigestName;

/** The imprint hashes a request may use, with their OIDs and output sizes. SHA-1 is refused as weak. */
export const HASHES: Record<HashName, { oid: string; bytes: number }> = {
  sha256: { oid: DIGEST_OIDS.sha256, bytes: 32 },
  sha384: { oid: DIGEST_OIDS.sha384, bytes: 48 },
  sha512: { oid: DIGEST_OIDS.sha512, bytes: 64 },
};
const SHA1_OID = '1.3.14.3.2.26';

/** Sigstore's timestamp policy under its PEN (timestamp-authority's `--default-policy-oid`). */
export const DEFAULT_POLICY_OID = '1.3.6.1.4.1.57264.2';

/** timestamp-authority's limit for the JSON form; the DER form is bounded by the route's body limit. */
export const MAX_JSON_REQUEST_BYTES = 1024;

/** A validated RFC 3161 request, from either wire form. */
export interface TimestampRequest {
  hashAlgorithm: HashName;
  digest: Buffer;
  /** The INTEGER's content bytes, echoed unchanged into TSTInfo. */
  nonce?: ArrayBuffer;
  /** RFC 3161 certReq: put the TSA certificate in the token. */
  certReq: boolean;
  policy?: string;
}

/** Parses and checks a DER TimeStampReq (`application/timestamp-query`). */
export function parseDerRequest(der: Buffer): TimestampRequest {
  return parseCommonRequest(der) ?? parseAnyRequest(der);
}

/** The DER of the imprint hash OIDs, to match without decoding. */
const HASH_OID_DER = (Object.keys(HASHES) as HashName[]).map((name) => ({
  name,
  der: Buffer.from(oidContent(HASHES[name].oid)),
}));

/**
 * The request clients send (cosign, openssl ts, sigstore-go), read by a direct DER walk: asn1-schema built an object
 * tree per request, as much CPU as the token's signature. Only one exact shape is taken, in strict DER with short
 * lengths: version 1, an imprint with a known hash OID (parameters absent or NULL) and a digest of its size, an
 * optional non-negative minimal nonce, an optional certReq TRUE, nothing after. Anything else (a policy, extensions,
 * SHA-1, another encoding) returns undefined and goes through the general parser and its checks and messages.
 */
function parseCommonRequest(der: Buffer): TimestampRequest | undefined {
  const outer = readTlv(der, 0, SEQUENCE_TAG);
  if (!outer || outer.end !== der.length) return undefined;
  let at = outer.start;
  const version = readTlv(der, at, 0x02);
  if (!version || version.end - version.start !== 1 || der[version.start] !== 1) return undefined;
  const imprint = readTlv(der, version.end, SEQUENCE_TAG);
  if (!imprint) return undefined;
  const alg = readTlv(der, imprint.start, SEQUENCE_TAG);
  const algOid = alg && readTlv(der, alg.start, 0x06);
  if (!alg || !algOid) return undefined;
  if (
    algOid.end !== alg.end &&
    !(alg.end - algOid.end === 2 && der[algOid.end] === 0x05 && der[algOid.end + 1] === 0)
  ) {
    return undefined;
  }
  const oidBytes = der.subarray(algOid.start, algOid.end);
  const hash = HASH_OID_DER.find((h) => h.der.equals(oidBytes));
  const digest = readTlv(der, alg.end, 0x04);
  if (!hash || !digest || digest.end !== imprint.end || digest.end - digest.start !== HASHES[hash.name].bytes) {
    return undefined;
  }
  const out: TimestampRequest = {
    hashAlgorithm: hash.name,
    digest: Buffer.from(der.subarray(digest.start, digest.end)),
    certReq: false,
  };
  at = imprint.end;
  const nonce = at < outer.end ? readTlv(der, at, 0x02) : undefined;
  if (nonce) {
    const n = der.subarray(nonce.start, nonce.end);
    if (n.length === 0 || n[0]! & 0x80 || (n.length > 1 && n[0] === 0 && !(n[1]! & 0x80))) return undefined;
    out.nonce = new Uint8Array(n).buffer;
    at = nonce.end;
  }
  const certReq = at < outer.end ? readTlv(der, at, 0x01) : undefined;
  if (certReq) {
    if (certReq.end - certReq.start !== 1 || der[certReq.start] !== 0xff) return undefined;
    out.certReq = true;
    at = certReq.end;
  }
  return at === outer.end ? out : undefined;
}

const SEQUENCE_TAG = 0x30;

/** A TLV with `tag` and a short-form length at `at`, within `der`; undefined for anything else. */
function readTlv(der: Buffer, at: number, tag: number): { start: number; end: number } | undefined {
  if (at + 2 > der.length || der[at] !== tag) return undefined;
  const length = der[at + 1]!;
  if (length >= 0x80 || at + 2 + length > der.length) return undefined;
  return { start: at + 2, end: at + 2 + length };
}

/** The content octets of an OBJECT IDENTIFIER (small arcs: the hash OIDs). */
function oidContent(dotted: string): number[] {
  const arcs = dotted.split('.').map(Number);
  return [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)].flatMap((arc) => {
    const out = [arc & 0x7f];
    for (let v = arc >> 7; v > 0; v >>= 7) out.unshift((v & 0x7f) | 0x80);
    return out;
  });
}

/** The general DER parser (asn1-schema), for any TimeStampReq; the reference the fast path is tested against. */
export function parseAnyRequest(der: Buffer): TimestampRequest {
  let req: TimeStampReq;
  try {
    req = AsnConvert.parse(der, TimeStampReq);
  } catch (e) {
    throw invalidInput('timestamp request is not a DER TimeStampReq', e);
  }
  if (req.version !== 1) throw invalidInput('timestamp request version must be 1');
  if (req.extensions && req.extensions.length > 0) {
    throw new SignetError('unsupported', 'unaccepted extension: requested extensions are not supported by the TSA');
  }
  const hashAlgorithm = hashByOid(req.messageImprint.hashAlgorithm.algorithm);
  const out: TimestampRequest = {
    hashAlgorithm,
    digest: checkDigest(hashAlgorithm, Buffer.from(req.messageImprint.hashedMessage.buffer)),
    certReq: req.certReq,
  };
  if (req.nonce) out.nonce = req.nonce;
  if (req.reqPolicy) out.policy = checkOid(req.reqPolicy);
  return out;
}

/**
 * Parses the JSON form of timestamp-authority: `{artifactHash: base64(digest), hashAlgorithm, certificates?,
 * nonce?, tsaPolicyOID?}`. The nonce must be a non-negative integer JSON can carry exactly (below 2^53).
 */
export function parseJsonRequest(body: Buffer): TimestampRequest {
  if (body.length > MAX_JSON_REQUEST_BYTES) throw new SignetError('too-large', 'timestamp request is too large');
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw invalidInput('request body is not valid JSON', e);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw invalidInput('timestamp request must be a JSON object');
  }
  const j = json as Record<string, unknown>;
  if (typeof j.hashAlgorithm !== 'string') throw invalidInput('hashAlgorithm must be sha256, sha384 or sha512');
  const name = j.hashAlgorithm.toLowerCase();
  if (name === 'sha1') throw weakHash();
  if (!(name in HASHES)) throw unsupportedHash();
  const hashAlgorithm = name as HashName;
  if (typeof j.artifactHash !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(j.artifactHash)) {
    throw invalidInput('artifactHash must be the base64 of the digest');
  }
  const out: TimestampRequest = {
    hashAlgorithm,
    digest: checkDigest(hashAlgorithm, Buffer.from(j.artifactHash, 'base64')),
    certReq: false,
  };
  if (j.certificates !== undefined) {
    if (typeof j.certificates !== 'boolean') throw invalidInput('certificates must be true or false');
    out.certReq = j.certificates;
  }
  if (j.nonce !== undefined) {
    if (typeof j.nonce !== 'number' || !Number.isSafeInteger(j.nonce) || j.nonce < 0) {
      throw invalidInput('nonce must be a non-negative integer below 2^53');
    }
    out.nonce = integerBytes(BigInt(j.nonce));
  }
  if (j.tsaPolicyOID !== undefined) {
    if (typeof j.tsaPolicyOID !== 'string') throw invalidInput('tsaPolicyOID must be a dotted OID string');
    out.policy = checkOid(j.tsaPolicyOID);
  }
  return out;
}

function hashByOid(oid: string): HashName {
  if (oid === SHA1_OID) throw weakHash();
  const found = (Object.keys(HASHES) as HashName[]).find((h) => HASHES[h].oid === oid);
  if (!found) throw unsupportedHash();
  return found;
}

function checkDigest(hash: HashName, digest: Buffer): Buffer {
  if (digest.length !== HASHES[hash].bytes) {
    throw invalidInput('message digest has incorrect length for specified algorithm');
  }
  return digest;
}

function checkOid(oid: string): string {
  if (!/^[0-2](\.(0|[1-9][0-9]{0,17}))+$/.test(oid)) throw invalidInput('tsaPolicyOID is not a dotted OID');
  if (oid.split('.').length > 128) throw invalidInput('OID should be comprised of at most 128 components');
  return oid;
}

/** The content bytes of a non-negative DER INTEGER (leading 0x00 when the top bit is set). */
function integerBytes(n: bigint): ArrayBuffer {
  let hex = n.toString(16);
  if (hex.length % 2) hex = '0' + hex;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = '00' + hex;
  const b = Buffer.from(hex, 'hex');
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

const weakHash = () => invalidInput('weak hash algorithm in timestamp request');
const unsupportedHash = () =>
  new SignetError('unsupported', 'unsupported hash algorithm in timestamp request: use sha256, sha384 or sha512');
