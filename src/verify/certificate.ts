import { X509Certificate, type KeyObject } from 'node:crypto';
import { verifyByTrustedKey } from '../crypto/index.js';
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
  let x509: X509Certificate;
  let publicKey: KeyObject;
  try {
    x509 = new X509Certificate(der);
    publicKey = x509.publicKey;
  } catch (e) {
    throw verificationFailed(`${what} is not a valid X.509 certificate`, e);
  }
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
  return {
    der,
    x509,
    publicKey,
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
