import type { KeyObject } from 'node:crypto';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  Certificate,
  DirectoryString,
  ExtendedKeyUsage,
  Extension,
  Extensions,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  OtherName,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  TBSCertificate,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectAltName,
  id_ce_subjectKeyIdentifier,
  id_kp_codeSigning,
} from '@peculiar/asn1-x509';
import { extension, keyIdentifier, randomSerial, signCertificateAsync, spkiOf, validity } from './sign.js';
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
 * Builds the leaf TBS exactly as Fulcio's MakeX509 + Go's CreateCertificate lay it out: v3, random 160-bit serial,
 * issuer = the issuing certificate's subject, 10 minutes, empty subject, then KU (critical), EKU codeSigning, SKI,
 * AKI, SAN (critical), and the Sigstore extensions in Fulcio's order.
 */
export function buildLeafTbs(ca: IssuingCa, req: LeafRequest): TBSCertificate {
  const issuer = issuerFields(ca);
  const spki = spkiOf(req.publicKey);
  const exts = [
    extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
    extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_codeSigning])),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(req.publicKey, spki))),
    issuer.authorityKeyId,
    extension(id_ce_subjectAltName, true, new SubjectAlternativeName([generalName(req.san)])),
    ...renderSigstoreExtensions(req.extensions),
  ];
  return new TBSCertificate({
    version: Version.v3,
    serialNumber: randomSerial(),
    issuer: issuer.subject,
    validity: validity(req.now, new Date(req.now.getTime() + leafLifetimeMs())),
    subject: new Name([]),
    subjectPublicKeyInfo: spki,
    extensions: new Extensions(exts),
  });
}

/** The RFC 6962 precertificate: the TBS plus the critical poison extension (NULL), signed by the real CA key. */
export function signPrecertificate(ca: IssuingCa, tbs: TBSCertificate): Promise<Buffer> {
  const poison = new Extension({
    extnID: CT_POISON_OID,
    critical: true,
    extnValue: new OctetString(new Uint8Array([0x05, 0x00])),
  });
  return signCertificateAsync(withExtensions(tbs, [...tbs.extensions!, poison]), ca.key);
}

/** The final certificate: same TBS (serial, validity, extensions) with the SCT list appended last. */
export function signFinalCertificate(ca: IssuingCa, tbs: TBSCertificate, sctList?: Buffer): Promise<Buffer> {
  if (!sctList) return signCertificateAsync(withExtensions(tbs, [...tbs.extensions!]), ca.key);
  // extnValue = OCTET STRING wrapping the TLS-encoded SignedCertificateTimestampList (RFC 6962 3.3).
  const inner = new Uint8Array(AsnConvert.serialize(new OctetString(sctList)));
  const sct = new Extension({ extnID: CT_SCT_LIST_OID, critical: false, extnValue: new OctetString(inner) });
  return signCertificateAsync(withExtensions(tbs, [...tbs.extensions!, sct]), ca.key);
}

function withExtensions(tbs: TBSCertificate, exts: Extension[]): TBSCertificate {
  return new TBSCertificate({ ...tbs, extensions: new Extensions(exts) });
}

/** The issuer's subject and the AKI extension, parsed once per CA certificate (parsing costs as much as a signature). */
const issuerCache = new WeakMap<Buffer, { subject: Name; authorityKeyId: Extension }>();

function issuerFields(ca: IssuingCa): { subject: Name; authorityKeyId: Extension } {
  let fields = issuerCache.get(ca.certDer);
  if (!fields) {
    const tbs = AsnConvert.parse(ca.certDer, Certificate).tbsCertificate;
    const aki = new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(issuerKeyId(tbs, ca.key)) });
    fields = { subject: tbs.subject, authorityKeyId: extension(id_ce_authorityKeyIdentifier, false, aki) };
    issuerCache.set(ca.certDer, fields);
  }
  return fields;
}

function issuerKeyId(issuer: TBSCertificate, key: KeyObject): Buffer {
  const ski = issuer.extensions?.find((e) => e.extnID === id_ce_subjectKeyIdentifier);
  if (ski) return Buffer.from(AsnConvert.parse(ski.extnValue.buffer, SubjectKeyIdentifier).buffer);
  return keyIdentifier(key);
}

function generalName(san: San): GeneralName {
  if (san.type === 'email') return new GeneralName({ rfc822Name: san.value });
  if (san.type === 'uri') return new GeneralName({ uniformResourceIdentifier: san.value });
  // OtherName { 1.3.6.1.4.1.57264.1.7, [0] EXPLICIT UTF8String "user!domain" } (sigstore cryptoutils MarshalOtherNameSAN).
  const value = AsnConvert.serialize(new DirectoryString({ utf8String: san.value }));
  return new GeneralName({ otherName: new OtherName({ typeId: `${SIGSTORE_ARC}.7`, value }) });
}
