import type { KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  Certificate,
  KeyIdentifier,
  SubjectKeyIdentifier,
  TBSCertificate,
  id_ce_authorityKeyIdentifier,
  id_ce_subjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { derBytes, derChildren, encodeExtension, encodeOid, encodeTlv, parseDer, TAG } from '../../encoding/index.js';
import { invalidInput } from '../../errors.js';
import {
  extension,
  keyIdentifier,
  randomSerial,
  signTbsAsync,
  signatureAlgorithmDer,
  spkiKeyIdentifier,
  validityDer,
} from './sign.js';
import { spkiDer } from './spki.js';
import { renderSigstoreExtensions, SIGSTORE_ARC, type SigstoreExtensions } from './extensions.js';

/** The one subject alternative name of a leaf: rfc822Name, URI, or Fulcio's username OtherName (`user!domain`). */
export type San =
  { type: 'email'; value: string } | { type: 'uri'; value: string } | { type: 'username'; value: string };

/** The CA that signs: its certificate (DER) and private key. */
export interface IssuingCa {
  certDer: Buffer;
  key: KeyObject;
}

export interface LeafRequest {
  publicKey: KeyObject;
  san: San;
  extensions: SigstoreExtensions;
  now: Date;
}

export const CT_POISON_OID = '1.3.6.1.4.1.11129.2.4.3';
export const CT_SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.2';
export const LEAF_LIFETIME_MS = 10 * 60 * 1000;

/**
 * Fulcio's 10 minutes, or fewer seconds from $SIGNET_CA_CERT_LIFETIME_SECONDS (1..600): tests let a real certificate
 * expire in seconds to show that verification checks it at the log's integrated time, not now. Never longer.
 */
export function leafLifetimeMs(): number {
  const raw = process.env.SIGNET_CA_CERT_LIFETIME_SECONDS;
  if (raw === undefined || raw === '') return LEAF_LIFETIME_MS;
  const seconds = Number(raw);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600) {
    throw new Error(`SIGNET_CA_CERT_LIFETIME_SECONDS must be a whole number of seconds from 1 to 600, not ${raw}`);
  }
  return seconds * 1000;
}

/**
 * A leaf TBSCertificate encoded once: the fields before the extensions, and the extensions. The precertificate and
 * the final certificate are this plus one extension appended last (CT poison, SCT list), so neither is re-encoded.
 */
export interface LeafTbs {
  head: Buffer;
  extensions: Buffer[];
}

const OID = {
  keyUsage: encodeOid('2.5.29.15'),
  extKeyUsage: encodeOid('2.5.29.37'),
  subjectKeyId: encodeOid('2.5.29.14'),
  subjectAltName: encodeOid('2.5.29.17'),
  codeSigning: encodeOid('1.3.6.1.5.5.7.3.3'),
  username: encodeOid(`${SIGSTORE_ARC}.7`),
  poison: encodeOid(CT_POISON_OID),
  sctList: encodeOid(CT_SCT_LIST_OID),
};
/** [0] EXPLICIT INTEGER 2 (v3). */
const VERSION_V3 = Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]);
/** An empty subject Name (the identity is in the SAN, as Fulcio's leaves). */
const EMPTY_NAME = Buffer.from([0x30, 0x00]);
/** KeyUsage BIT STRING with only digitalSignature (bit 0) set: 7 unused bits, 0x80. */
const KU_DIGITAL_SIGNATURE = Buffer.from([0x03, 0x02, 0x07, 0x80]);
const KEY_USAGE = encodeExtension(OID.keyUsage, true, KU_DIGITAL_SIGNATURE);
const EXT_KEY_USAGE = encodeExtension(OID.extKeyUsage, false, encodeTlv(TAG.sequence, OID.codeSigning));
/** The poison extension (critical, NULL) that makes a precertificate unusable as a certificate (RFC 6962 3.1). */
const POISON = encodeExtension(OID.poison, true, Buffer.from([0x05, 0x00]));

/**
 * Builds the leaf TBS exactly as Fulcio's MakeX509 + Go's CreateCertificate lay it out: v3, random 160-bit serial,
 * issuer = the issuing certificate's subject, 10 minutes, empty subject, then KU (critical), EKU codeSigning, SKI,
 * AKI, SAN (critical), and the Sigstore extensions in Fulcio's order. Written as DER directly: the ASN.1 object
 * model cost more per certificate than one of its signatures.
 */
export function buildLeafTbs(ca: IssuingCa, req: LeafRequest): LeafTbs {
  const issuer = issuerFields(ca);
  const spki = spkiDer(req.publicKey);
  const head = Buffer.concat([
    VERSION_V3,
    encodeTlv(TAG.integer, Buffer.from(randomSerial())),
    signatureAlgorithmDer(ca.key),
    issuer.subject,
    validityDer(req.now, new Date(req.now.getTime() + leafLifetimeMs())),
    EMPTY_NAME,
    spki,
  ]);
  const extensions = [
    KEY_USAGE,
    EXT_KEY_USAGE,
    encodeExtension(OID.subjectKeyId, false, encodeTlv(TAG.octetString, spkiKeyIdentifier(spki))),
    issuer.authorityKeyId,
    encodeExtension(OID.subjectAltName, true, encodeTlv(TAG.sequence, generalName(req.san))),
    ...renderSigstoreExtensions(req.extensions),
  ];
  return { head, extensions };
}

/** The TBSCertificate DER: the head, then `[3] EXPLICIT Extensions` with `last` appended when given. */
export function encodeLeafTbs(tbs: LeafTbs, last?: Buffer): Buffer {
  const exts = Buffer.concat(last ? [...tbs.extensions, last] : tbs.extensions);
  return encodeTlv(TAG.sequence, Buffer.concat([tbs.head, encodeTlv(0xa3, encodeTlv(TAG.sequence, exts))]));
}

/** The RFC 6962 precertificate: the TBS plus the critical poison extension (NULL), signed by the real CA key. */
export function signPrecertificate(ca: IssuingCa, tbs: LeafTbs): Promise<Buffer> {
  return signTbsAsync(encodeLeafTbs(tbs, POISON), ca.key);
}

/** The final certificate: same TBS (serial, validity, extensions) with the SCT list appended last. */
export function signFinalCertificate(ca: IssuingCa, tbs: LeafTbs, sctList?: Buffer): Promise<Buffer> {
  if (!sctList) return signTbsAsync(encodeLeafTbs(tbs), ca.key);
  // extnValue = OCTET STRING wrapping the TLS-encoded SignedCertificateTimestampList (RFC 6962 3.3).
  const sct = encodeExtension(OID.sctList, false, encodeTlv(TAG.octetString, sctList));
  return signTbsAsync(encodeLeafTbs(tbs, sct), ca.key);
}

/** The issuer's subject (its exact DER) and the AKI extension, read once per CA certificate. */
const issuerCache = new WeakMap<Buffer, { subject: Buffer; authorityKeyId: Buffer }>();

function issuerFields(ca: IssuingCa): { subject: Buffer; authorityKeyId: Buffer } {
  let fields = issuerCache.get(ca.certDer);
  if (!fields) {
    const tbs = AsnConvert.parse(ca.certDer, Certificate).tbsCertificate;
    const aki = new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(issuerKeyId(tbs, ca.key)) });
    const akiDer = Buffer.from(AsnConvert.serialize(extension(id_ce_authorityKeyIdentifier, false, aki)));
    fields = { subject: issuerSubjectDer(ca.certDer), authorityKeyId: akiDer };
    issuerCache.set(ca.certDer, fields);
  }
  return fields;
}

/** The subject Name of a certificate, byte for byte (TBS fields: [0] version, serial, signature, issuer, validity, subject). */
function issuerSubjectDer(certDer: Buffer): Buffer {
  const tbs = derChildren(parseDer(certDer, 'CA certificate'))[0];
  const fields = tbs ? derChildren(tbs) : [];
  const subject = fields[fields[0]?.tag === 0xa0 ? 5 : 4];
  if (!subject || subject.tag !== TAG.sequence) throw new Error('the CA certificate has no subject');
  return derBytes(subject);
}

function issuerKeyId(issuer: TBSCertificate, key: KeyObject): Buffer {
  const ski = issuer.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
  if (ski) return Buffer.from(AsnConvert.parse(ski.extnValue.buffer, SubjectKeyIdentifier).buffer);
  return keyIdentifier(key);
}

/** The one GeneralName of the SAN (Go's marshalSANs: rfc822Name [1], URI [6], or the Sigstore username OtherName [0]). */
function generalName(san: San): Buffer {
  if (san.type === 'email') return encodeTlv(0x81, ia5(san.value, 'email'));
  if (san.type === 'uri') return encodeTlv(0x86, ia5(san.value, 'URI'));
  // OtherName { 1.3.6.1.4.1.57264.1.7, [0] EXPLICIT UTF8String "user!domain" } (sigstore cryptoutils MarshalOtherNameSAN).
  const value = encodeTlv(0xa0, encodeTlv(TAG.utf8String, Buffer.from(san.value, 'utf8')));
  return encodeTlv(0xa0, Buffer.concat([OID.username, value]));
}

/** IA5String content: ASCII only, as Go's CreateCertificate requires of an rfc822Name or URI. */
function ia5(value: string, what: string): Buffer {
  // eslint-disable-next-line no-control-regex
  if (!/^[\x00-\x7f]*$/.test(value)) throw invalidInput(`the ${what} subject alternative name is not ASCII`);
  return Buffer.from(value, 'latin1');
}
