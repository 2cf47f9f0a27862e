import { createPublicKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  ExtendedKeyUsage,
  Extensions,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  SubjectKeyIdentifier,
  TBSCertificate,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
  id_kp_timeStamping,
} from '@peculiar/asn1-x509';
import {
  extension,
  keyIdentifier,
  organizationName,
  randomSerial,
  signCertificate,
  spkiOf,
  validity,
} from '../ca/index.js';
import { invalidInput } from '../errors.js';
import type { TsaSigner } from './response.js';

const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * A chain shaped like the public-good TSA's: a self-signed P-384 root `CN=<cn>-root` (CA, pathlen 0, KU
 * certSign|cRLSign critical) and a P-256 leaf `O=<org>, CN=<cn>` (KU digitalSignature critical, EKU timeStamping
 * critical and alone, SKI/AKI), both valid 10 years. The root key signs the leaf and is then dropped: the TSA
 * never issues another certificate, so only the leaf key is kept.
 */
export function createTsaChain(options: { organization?: string; commonName?: string; now?: Date } = {}): TsaSigner {
  const org = options.organization ?? 'signet';
  const cn = options.commonName ?? 'signet-tsa';
  const now = options.now ?? new Date();
  const notAfter = new Date(now.getTime() + 10 * YEAR_MS);
  const rootKey = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  const leafKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const rootName = organizationName(org, `${cn}-root`);
  const root = new TBSCertificate({
    version: Version.v3,
    serialNumber: randomSerial(),
    issuer: rootName,
    validity: validity(now, notAfter),
    subject: rootName,
    subjectPublicKeyInfo: spkiOf(rootKey),
    extensions: new Extensions([
      extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)),
      extension(id_ce_basicConstraints, true, new BasicConstraints({ cA: true, pathLenConstraint: 0 })),
      extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(rootKey))),
    ]),
  });
  const leaf = new TBSCertificate({
    version: Version.v3,
    serialNumber: randomSerial(),
    issuer: rootName,
    validity: validity(now, notAfter),
    subject: organizationName(org, cn),
    subjectPublicKeyInfo: spkiOf(leafKey),
    extensions: new Extensions([
      extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.digitalSignature)),
      extension(id_ce_extKeyUsage, true, new ExtendedKeyUsage([id_kp_timeStamping])),
      extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(leafKey))),
      extension(
        id_ce_authorityKeyIdentifier,
        false,
        new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyIdentifier(rootKey)) }),
      ),
    ]),
  });
  const rootCert = new X509Certificate(signCertificate(root, rootKey));
  const leafCert = new X509Certificate(signCertificate(leaf, rootKey));
  return { key: leafKey, chain: [leafCert, rootCert] };
}

/**
 * The startup checks of timestamp-authority: at least two certificates, each signed by the next, the last
 * self-signed; the leaf is not a CA, carries exactly one EKU, timeStamping, marked critical, and its key is the
 * signer's; every other certificate is a CA.
 */
export function checkTsaChain(key: KeyObject, chain: X509Certificate[]): void {
  if (chain.length < 2) throw invalidInput('the TSA chain needs the leaf and at least its root');
  const leaf = chain[0]!;
  if (leaf.ca) throw invalidInput('the TSA leaf certificate must not be a CA');
  if (!leaf.publicKey.equals(publicOf(key))) throw invalidInput('the TSA key does not match the leaf certificate');
  const eku = leaf.keyUsage ?? [];
  if (eku.length !== 1 || eku[0] !== id_kp_timeStamping || !ekuIsCritical(leaf)) {
    throw invalidInput('the TSA leaf must carry exactly one extended key usage, timeStamping, marked critical');
  }
  for (let i = 0; i + 1 < chain.length; i++) {
    if (!chain[i + 1]!.ca) throw invalidInput(`certificate ${i + 1} of the TSA chain is not a CA`);
    if (!chain[i]!.verify(chain[i + 1]!.publicKey)) {
      throw invalidInput(`certificate ${i} of the TSA chain is not signed by certificate ${i + 1}`);
    }
  }
  const root = chain[chain.length - 1]!;
  if (!root.verify(root.publicKey)) throw invalidInput('the last certificate of the TSA chain is not self-signed');
}

function ekuIsCritical(cert: X509Certificate): boolean {
  const parsed = AsnConvert.parse(cert.raw, Certificate);
  return parsed.tbsCertificate.extensions?.some((e) => e.extnID === id_ce_extKeyUsage && e.critical) ?? false;
}

function publicOf(key: KeyObject): KeyObject {
  return key.type === 'private' ? createPublicKey(key) : key;
}
