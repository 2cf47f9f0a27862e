import { createHash, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  AttributeValue,
  Extension,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
} from '@peculiar/asn1-x509';
import { OctetString } from '@peculiar/asn1-schema';
import { derChildren, derValue, encodeTlv, parseDer, TAG } from '../../encoding/index.js';
import { invalidInput } from '../../errors.js';
import { spkiDer } from './spki.js';

/** The certificate signature algorithm for a CA key (P-384 gives ecdsa-with-SHA384, as the public-good CA). */
export function signatureAlgorithmFor(key: KeyObject): { algorithm: AlgorithmIdentifier; hash: string | null } {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return { algorithm: new AlgorithmIdentifier({ algorithm: '1.3.101.112' }), hash: null };
  if (type === 'rsa') {
    // sha256WithRSAEncryption carries an explicit NULL parameter.
    const params = Buffer.from([0x05, 0x00]);
    return {
      algorithm: new AlgorithmIdentifier({ algorithm: '1.2.840.113549.1.1.11', parameters: toArrayBuffer(params) }),
      hash: 'sha256',
    };
  }
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const [oid, hash] =
      curve === 'secp384r1'
        ? ['1.2.840.10045.4.3.3', 'sha384']
        : curve === 'secp521r1'
          ? ['1.2.840.10045.4.3.4', 'sha512']
          : ['1.2.840.10045.4.3.2', 'sha256'];
    return { algorithm: new AlgorithmIdentifier({ algorithm: oid }), hash };
  }
  throw new Error(`unsupported CA key type ${type}`);
}

/** Signs a TBSCertificate with the CA key and returns the certificate DER. */
export function signCertificate(tbs: TBSCertificate, key: KeyObject): Buffer {
  const { algorithm, hash } = signatureAlgorithmFor(key);
  tbs.signature = algorithm;
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  return assemble(tbsDer, algorithm, sign(hash, tbsDer, key));
}

/** The AlgorithmIdentifier DER and hash for a CA key, worked out once per key object. */
const algorithmCache = new WeakMap<KeyObject, { der: Buffer; hash: string | null }>();

function algorithmOf(key: KeyObject): { der: Buffer; hash: string | null } {
  let a = algorithmCache.get(key);
  if (!a) {
    const { algorithm, hash } = signatureAlgorithmFor(key);
    a = { der: Buffer.from(AsnConvert.serialize(algorithm)), hash };
    algorithmCache.set(key, a);
  }
  return a;
}

/** The DER AlgorithmIdentifier a certificate signed by `key` names (in its TBS and around the signature). */
export function signatureAlgorithmDer(key: KeyObject): Buffer {
  return algorithmOf(key).der;
}

/**
 * Signs TBSCertificate DER (whose signature field is `signatureAlgorithmDer(key)`) and returns the certificate.
 * The signature is computed on libuv's thread pool (node:crypto's callback form), so concurrent requests sign on
 * several cores while the event loop keeps parsing and encoding.
 */
export async function signTbsAsync(tbsDer: Buffer, key: KeyObject): Promise<Buffer> {
  const { der, hash } = algorithmOf(key);
  const signature = await new Promise<Buffer>((resolve, reject) =>
    sign(hash, tbsDer, key, (err, sig) => (err ? reject(err) : resolve(sig))),
  );
  return assembleDer(tbsDer, der, signature);
}

/**
 * Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }, around the TBS bytes
 * just signed (the same DER a Certificate object serializes to, without encoding the TBS a second time).
 */
function assemble(tbsDer: Buffer, algorithm: AlgorithmIdentifier, signature: Buffer): Buffer {
  return assembleDer(tbsDer, Buffer.from(AsnConvert.serialize(algorithm)), signature);
}

function assembleDer(tbsDer: Buffer, algorithmDer: Buffer, signature: Buffer): Buffer {
  const bitString = encodeTlv(0x03, Buffer.concat([Buffer.from([0]), signature]));
  return encodeTlv(0x30, Buffer.concat([tbsDer, algorithmDer, bitString]));
}

/** A positive 160-bit serial: 20 random bytes, top bit cleared, never a leading zero byte (so DER keeps 20 bytes). */
export function randomSerial(): ArrayBuffer {
  const b = randomBytes(20);
  b[0] = b[0]! & 0x7f || 0x01;
  return toArrayBuffer(b);
}

/** Validity as Go writes it: UTCTime (YYMMDDHHMMSSZ) before 2050, GeneralizedTime after, whole seconds. */
export function validityDer(notBefore: Date, notAfter: Date): Buffer {
  const time = (d: Date) => {
    const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
    const digits = iso.slice(0, 19).replace(/[-T:]/g, '') + 'Z';
    const utc = d.getUTCFullYear() < 2050;
    return encodeTlv(utc ? TAG.utcTime : TAG.generalizedTime, Buffer.from(utc ? digits.slice(2) : digits, 'latin1'));
  };
  return encodeTlv(TAG.sequence, Buffer.concat([time(notBefore), time(notAfter)]));
}

/** The same Validity for a TBSCertificate object. */
export function validity(notBefore: Date, notAfter: Date): Validity {
  return AsnConvert.parse(validityDer(notBefore, notAfter), Validity);
}

export function spkiOf(key: KeyObject): SubjectPublicKeyInfo {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return AsnConvert.parse(pub.export({ format: 'der', type: 'spki' }), SubjectPublicKeyInfo);
}

/** RFC 5280 4.2.1.2 method 1 (Go's and Fulcio's SKID): SHA-1 of the subjectPublicKey BIT STRING's key bytes. */
export function keyIdentifier(key: KeyObject): Buffer {
  return spkiKeyIdentifier(spkiDer(key));
}

/** The same from SubjectPublicKeyInfo DER. */
export function spkiKeyIdentifier(spki: Buffer): Buffer {
  const bits = derChildren(parseDer(spki, 'public key'))[1];
  if (!bits || bits.tag !== TAG.bitString) throw invalidInput('public key has no subjectPublicKey');
  return createHash('sha1').update(derValue(bits).subarray(1)).digest();
}

/** A subject or issuer `O=<org>, CN=<cn>` (UTF8String values), as the public-good CA and TSA names read. */
export function organizationName(org: string, cn: string): Name {
  const rdn = (type: string, value: string) =>
    new RelativeDistinguishedName([
      new AttributeTypeAndValue({ type, value: new AttributeValue({ utf8String: value }) }),
    ]);
  return new Name([rdn('2.5.4.10', org), rdn('2.5.4.3', cn)]);
}

export function extension(extnID: string, critical: boolean, value: unknown): Extension {
  const der = value instanceof Uint8Array ? value : new Uint8Array(AsnConvert.serialize(value));
  return new Extension({ extnID, critical, extnValue: new OctetString(der) });
}

export function toArrayBuffer(b: Uint8Array): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
