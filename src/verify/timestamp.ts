import { createHash } from 'node:crypto';
import { messageHash, verifyByTrustedKey } from '../crypto/index.js';
import { verificationFailed } from '../errors.js';
import type { Certificate } from './certificate.js';
import {
  DIGEST_OIDS,
  TAG,
  derBytes,
  derChildren,
  derValue,
  expectTag,
  oidString,
  parseDer,
  timestampTokenContent,
  tstInfoFields,
  type Der,
} from '../encoding/index.js';
import { chainValidAt, windowContains, type Authority } from './trust-material.js';

const OIDS = {
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
};

/** Hash names by OID: the SHA-2 family, and SHA-1, which older TSAs still sign with. */
const HASHES: Record<string, string> = {
  ...Object.fromEntries(Object.entries(DIGEST_OIDS).map(([name, oid]) => [oid, name])),
  '1.3.14.3.2.26': 'sha1',
};

/** What an RFC 3161 token says, with the raw parts needed to check its signature. */
interface TimestampToken {
  genTime: Date;
  imprintAlgorithm: string;
  imprint: Buffer;
  tstInfo: Buffer;
  signer: { issuer?: Buffer; serial?: Buffer; subjectKeyId?: Buffer };
  digestAlgorithm: string;
  signedAttrs?: Der;
  signature: Buffer;
}

/**
 * Verifies an RFC 3161 signed timestamp (a TimeStampResp or a bare TimeStampToken) over `signature` (the
 * bundle's signature bytes: the imprint is their hash) and returns the time it vouches for. The signer must be
 * the leaf of a trusted TSA whose validity period and whose whole chain contain that time.
 */
export function verifyRfc3161Timestamp(der: Buffer, signature: Buffer, tsas: Authority[]): Date {
  const token = parseToken(der);
  const digest = createHash(token.imprintAlgorithm).update(signature).digest();
  if (!digest.equals(token.imprint)) throw verificationFailed('the timestamp is not over this signature');
  const signed = signedBytes(token);
  let reason = 'the timestamp was not signed by a trusted timestamp authority';
  for (const tsa of tsas) {
    const leaf = tsa.chain[0]!;
    if (!tsa.chainLinks || !identifies(token.signer, leaf)) continue;
    if (!windowContains(tsa.validFor, token.genTime)) {
      reason = 'the timestamp is outside the timestamp authority validity period';
      continue;
    }
    if (!chainValidAt(tsa.chain, token.genTime)) {
      reason = "the timestamp is outside the timestamp authority's certificate validity";
      continue;
    }
    if (!verifySignerSignature(leaf, token, signed)) {
      reason = 'the timestamp signature does not verify';
      continue;
    }
    return token.genTime;
  }
  throw verificationFailed(reason);
}

function verifySignerSignature(leaf: Certificate, token: TimestampToken, signed: Buffer): boolean {
  const hash = messageHash(leaf.publicKey, token.digestAlgorithm);
  try {
    // The TSA's key is trust material: it signs every timestamp this verifier sees.
    return verifyByTrustedKey(hash, signed, leaf.publicKey, token.signature);
  } catch {
    return false;
  }
}

/** CMS §5.4: with signed attributes, the signature covers their DER as a SET (the [0] tag rewritten). */
function signedBytes(token: TimestampToken): Buffer {
  const tstDigest = createHash(token.digestAlgorithm).update(token.tstInfo).digest();
  if (!token.signedAttrs) return token.tstInfo;
  let messageDigest: Buffer | undefined;
  let contentType: string | undefined;
  for (const attr of derChildren(token.signedAttrs)) {
    const [type, values] = derChildren(attr);
    const value = values && derChildren(values)[0];
    const id = type && oidString(derValue(type));
    if (id === OIDS.messageDigest && value) messageDigest = derValue(value);
    if (id === OIDS.contentType && value) contentType = oidString(derValue(value));
  }
  if (contentType !== OIDS.tstInfo) throw verificationFailed('the timestamp signed attributes name another content');
  if (!messageDigest?.equals(tstDigest)) throw verificationFailed('the timestamp signed attributes do not match');
  const raw = Buffer.from(derBytes(token.signedAttrs));
  raw[0] = TAG.set;
  return raw;
}

function identifies(signer: TimestampToken['signer'], cert: Certificate): boolean {
  if (signer.serial && signer.issuer) return cert.serial.equals(signer.serial) && cert.issuer.equals(signer.issuer);
  const ski = cert.extensions.find((e) => e.oid === '2.5.29.14');
  return !!(signer.subjectKeyId && ski && derValue(parseDer(ski.value, 'key id')).equals(signer.subjectKeyId));
}

function parseToken(der: Buffer): TimestampToken {
  let root = expectTag(parseDer(der, 'timestamp'), TAG.sequence, 'timestamp');
  const first = derChildren(root)[0];
  if (first?.tag === TAG.sequence) {
    // TimeStampResp: PKIStatusInfo, then the token; status 0 (granted) or 1 (granted with mods).
    const [status, token] = derChildren(root);
    const code = derValue(expectTag(derChildren(status!)[0], TAG.integer, 'timestamp status'));
    if (code.length !== 1 || code[0]! > 1) throw verificationFailed('the timestamp response is not granted');
    root = expectTag(token, TAG.sequence, 'timestamp token');
  }
  const { signedData: parts, tstInfo } = timestampTokenContent(root);
  const signerInfos = expectTag(parts[parts.length - 1], TAG.set, 'signer infos');
  const infos = derChildren(signerInfos);
  if (infos.length !== 1) throw verificationFailed('the timestamp must have exactly one signer');
  return { ...readTstInfo(tstInfo), tstInfo, ...readSignerInfo(infos[0]!) };
}

function readTstInfo(buf: Buffer): Pick<TimestampToken, 'genTime' | 'imprintAlgorithm' | 'imprint'> {
  const { imprintOid, imprint, genTime } = tstInfoFields(buf);
  const imprintAlgorithm = HASHES[imprintOid];
  if (!imprintAlgorithm || imprintAlgorithm === 'sha1')
    throw verificationFailed('the timestamp imprint hash is not supported');
  return { genTime, imprintAlgorithm, imprint };
}

function readSignerInfo(info: Der): Pick<TimestampToken, 'signer' | 'digestAlgorithm' | 'signedAttrs' | 'signature'> {
  const parts = derChildren(info);
  const sid = parts[1];
  if (!sid) throw verificationFailed('the timestamp signer has no identifier');
  const signer: TimestampToken['signer'] = {};
  if (sid.tag === TAG.sequence) {
    const [issuer, serial] = derChildren(sid);
    signer.issuer = derBytes(expectTag(issuer, TAG.sequence, 'signer issuer'));
    signer.serial = derValue(expectTag(serial, TAG.integer, 'signer serial'));
  } else if (sid.tag === 0x80) signer.subjectKeyId = derValue(sid);
  const digestOid = oidString(
    derValue(
      expectTag(derChildren(expectTag(parts[2], TAG.sequence, 'digest algorithm'))[0], TAG.oid, 'digest algorithm'),
    ),
  );
  const digestAlgorithm = HASHES[digestOid];
  if (!digestAlgorithm || digestAlgorithm === 'sha1') throw verificationFailed('the timestamp digest is not supported');
  const signedAttrs = parts[3]?.tag === 0xa0 ? parts[3] : undefined;
  const sigNode = parts[signedAttrs ? 5 : 4];
  const out = {
    signer,
    digestAlgorithm,
    signature: derValue(expectTag(sigNode, TAG.octetString, 'timestamp signature')),
  };
  return signedAttrs ? { ...out, signedAttrs } : out;
}

/** For tests and diagnostics: the genTime a token claims, unverified. */
export function timestampGenTime(der: Buffer): Date {
  return parseToken(der).genTime;
}
