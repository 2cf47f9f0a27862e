import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { ecPointKey, verifyByTrustedKey, type EcCurve, type EcPointKey } from '../crypto/index.js';
import { verificationFailed } from '../errors.js';
import {
  CERT_SIGNATURE_ALGORITHMS,
  TAG,
  derBytes,
  derChildren,
  derTime,
  derValue,
  expectTag,
  oidString,
  parseDer,
  tbsNamesAlgorithm,
  type Der,
} from '../encoding/index.js';

/** One extension of a certificate, its value the extnValue content (the DER inside the OCTET STRING). */
export interface CertificateExtension {
  oid: string;
  critical: boolean;
  value: Buffer;
  /** The whole Extension SEQUENCE, so CT can cut it out of the TBS. */
  node: Der;
}

/**
 * A certificate parsed once: node's X509Certificate for the signature and key (native), and a DER walk for the
 * raw names, validity and extensions the Sigstore checks need (node exposes neither raw names nor arbitrary
 * extensions). Nothing is re-encoded.
 */
export interface Certificate {
  der: Buffer;
  x509: X509Certificate;
  publicKey: KeyObject;
  /**
   * An EC key as the native addon holds it (absent for other keys, or without the addon): a leaf's signature is
   * verified with it, and its KeyObject is then never made.
   */
  ecKey?: EcPointKey;
  /** Raw DER of the issuer and subject Names, compared byte for byte for name chaining. */
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  spki: Buffer;
  tbs: Der;
  /** The TBS fields in order (version, serial, signature, issuer, validity, subject, spki, [1], [2], [3]). */
  tbsFields: Der[];
  extensions: CertificateExtension[];
  isCa: boolean;
  serial: Buffer;
  /** The outer signatureAlgorithm (whole AlgorithmIdentifier DER) and the signature's bits. */
  signatureAlgorithm: Buffer;
  signature: Buffer;
}

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  sctList: '1.3.6.1.4.1.11129.2.4.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
} as const;

export function parseCertificate(der: Buffer, what = 'certificate'): Certificate {
  const cert = expectTag(parseDer(der, what), TAG.sequence, what);
  const [tbsNode, algorithm, signature] = derChildren(cert);
  const tbs = expectTag(tbsNode, TAG.sequence, `${what} TBS`);
  const sigBits = derValue(expectTag(signature, TAG.bitString, `${what} signature`));
  expectTag(algorithm, TAG.sequence, `${what} signature algorithm`);
  const fields = derChildren(tbs);
  const at = fields[0]?.tag === 0xa0 ? 1 : 0;
  const [serial, , issuer, validity, subject, spki] = fields.slice(at);
  if (!serial || !issuer || !validity || !subject || !spki) throw verificationFailed(`${what} is malformed`);
  const [nb, na] = derChildren(validity);
  if (!nb || !na) throw verificationFailed(`${what} has a malformed validity`);
  const extensions = readExtensions(fields.find((f) => f.tag === 0xa3));
  const bc = extensions.find((e) => e.oid === OID.basicConstraints);
  // node's X509Certificate (OpenSSL's decoder) costs ~200 µs: an EC key is read from its SPKI instead, and the
  // X509Certificate is made only when something asks for it (a non-EC signature, or a non-EC key). With the addon,
  // the EC key's KeyObject too is made only when asked for: the addon's import checks the point is on the curve.
  let x509: X509Certificate | undefined;
  const openssl = <T>(read: (x: X509Certificate) => T): T => {
    try {
      return read((x509 ??= new X509Certificate(der)));
    } catch (e) {
      throw verificationFailed(`${what} is not a valid X.509 certificate`, e);
    }
  };
  const ec = ecPoint(spki);
  const ecKey = ec && addonKey(ec);
  let publicKey = ec ? (ecKey ? undefined : ecPublicKey(ec)) : openssl((x) => x.publicKey);
  return {
    der,
    get x509() {
      return openssl((x) => x);
    },
    get publicKey() {
      return (publicKey ??= ecPublicKey(ec!));
    },
    ...(ecKey ? { ecKey } : {}),
    issuer: derBytes(issuer),
    subject: derBytes(subject),
    notBefore: derTime(nb),
    notAfter: derTime(na),
    spki: derBytes(spki),
    tbs,
    tbsFields: fields,
    extensions,
    isCa: bc ? basicConstraintsCa(bc.value) : false,
    serial: derValue(serial),
    signatureAlgorithm: derBytes(algorithm!),
    // A BIT STRING's first content byte counts unused bits: signatures are whole bytes.
    signature: sigBits[0] === 0 ? sigBits.subarray(1) : Buffer.alloc(0),
  };
}

/** JWK curve names of the named-curve OIDs (DER) an EC SubjectPublicKeyInfo may carry. */
const EC_CURVES = new Map<string, { crv: EcCurve; size: number }>([
  ['06082a8648ce3d030107', { crv: 'P-256', size: 32 }],
  ['06052b81040022', { crv: 'P-384', size: 48 }],
  ['06052b81040023', { crv: 'P-521', size: 66 }],
]);
const EC_PUBLIC_KEY = '06072a8648ce3d0201';

interface EcPoint {
  crv: EcCurve;
  /** 04 || x || y */
  point: Buffer;
  size: number;
}

/**
 * An EC key's curve and point from its SPKI (id-ecPublicKey, a named curve, an uncompressed point); anything else
 * (compressed points, other key types) returns undefined for OpenSSL's decoder.
 */
function ecPoint(spki: Der): EcPoint | undefined {
  const [algorithm, bits, extra] = derChildren(spki);
  if (!algorithm || !bits || extra || algorithm.tag !== TAG.sequence || bits.tag !== TAG.bitString) return undefined;
  const [oid, params, more] = derChildren(algorithm);
  if (!oid || !params || more || derBytes(oid).toString('hex') !== EC_PUBLIC_KEY) return undefined;
  const curve = EC_CURVES.get(derBytes(params).toString('hex'));
  const point = derValue(bits);
  if (!curve || point.length !== 2 + 2 * curve.size || point[0] !== 0 || point[1] !== 4) return undefined;
  return { crv: curve.crv, point: point.subarray(1), size: curve.size };
}

/** The key as a KeyObject through a JWK: node's JWK import costs less than half its DER decoder. */
function ecPublicKey({ crv, point, size }: EcPoint): KeyObject {
  const x = point.subarray(1, 1 + size).toString('base64url');
  const y = point.subarray(1 + size).toString('base64url');
  return validEcKey(() => createPublicKey({ key: { kty: 'EC', crv, x, y }, format: 'jwk' }));
}

function addonKey({ crv, point }: EcPoint): EcPointKey | undefined {
  return validEcKey(() => ecPointKey(crv, point));
}

/** Either import refuses a point off the curve: that is a certificate that fails verification. */
function validEcKey<T>(load: () => T): T {
  try {
    return load();
  } catch (e) {
    throw verificationFailed('the certificate public key is not a valid EC key', e);
  }
}

function readExtensions(wrapper: Der | undefined): CertificateExtension[] {
  if (!wrapper) return [];
  const seq = expectTag(derChildren(wrapper)[0], TAG.sequence, 'certificate extensions');
  return derChildren(seq).map((ext) => {
    const parts = derChildren(ext);
    const oid = oidString(derValue(expectTag(parts[0], TAG.oid, 'extension id')));
    const critical = parts.length === 3 && parts[1]!.tag === TAG.boolean && derValue(parts[1]!)[0] !== 0;
    const value = derValue(expectTag(parts[parts.length - 1], TAG.octetString, `extension ${oid}`));
    return { oid, critical, value, node: ext };
  });
}

function basicConstraintsCa(value: Buffer): boolean {
  const first = derChildren(parseDer(value, 'basic constraints'))[0];
  return first?.tag === TAG.boolean && derValue(first)[0] !== 0;
}

export function extension(cert: Certificate, oid: string): CertificateExtension | undefined {
  return cert.extensions.find((e) => e.oid === oid);
}

/** Extended key usages as dotted OIDs. */
export function extendedKeyUsages(cert: Certificate): string[] {
  const ext = extension(cert, OID.extKeyUsage);
  if (!ext) return [];
  return derChildren(parseDer(ext.value, 'extended key usage')).map((n) => oidString(derValue(n)));
}

export function validAt(cert: Certificate, t: Date): boolean {
  return cert.notBefore.getTime() <= t.getTime() && t.getTime() <= cert.notAfter.getTime();
}

/**
 * True when `issuer` issued `cert`: names chain and the signature verifies with the issuer's key. An ECDSA
 * signature by an EC key (every Fulcio and TSA chain) is checked over the TBS bytes as written, with the checks
 * OpenSSL's X509_verify makes (the TBS names the same algorithm as the outer field); anything else goes to
 * X509_verify itself.
 */
export function issuedBy(cert: Certificate, issuer: Certificate): boolean {
  if (!cert.issuer.equals(issuer.subject)) return false;
  const known = CERT_SIGNATURE_ALGORITHMS.get(cert.signatureAlgorithm.toString('hex'));
  try {
    if (known?.keyType !== 'ec' || issuer.publicKey.asymmetricKeyType !== 'ec') {
      return cert.x509.verify(issuer.publicKey);
    }
    if (!tbsNamesAlgorithm(cert.tbsFields, cert.signatureAlgorithm)) return false;
    return verifyByTrustedKey(known.hash, derBytes(cert.tbs), issuer.publicKey, cert.signature);
  } catch {
    return false;
  }
}

export const isSelfIssued = (cert: Certificate): boolean => cert.issuer.equals(cert.subject);
