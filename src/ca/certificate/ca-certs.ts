import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  ExtendedKeyUsage,
  Extensions,
  KeyIdentifier,
  KeyUsage,
  KeyUsageFlags,
  Name,
  SubjectKeyIdentifier,
  TBSCertificate,
  Version,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_subjectKeyIdentifier,
  id_kp_codeSigning,
} from '@peculiar/asn1-x509';
import { extension, keyIdentifier, organizationName, randomSerial, signCertificate, spkiOf, validity } from './sign.js';

export interface CaMaterial {
  rootDer: Buffer;
  intermediateDer: Buffer;
  rootKey: KeyObject;
  intermediateKey: KeyObject;
}

const YEAR_MS = 365 * 24 * 3600 * 1000;

/**
 * Makes a chain shaped like the public-good one (fulcio.md 3.5): a P-384 root `O=<org>, CN=<name>` (CA, KU
 * certSign|cRLSign critical, 10 years) and an intermediate `CN=<name>-intermediate` (pathlen 0, EKU codeSigning,
 * AKI = root SKI) that signs leaves with ecdsa-with-SHA384.
 */
export function createCaMaterial(options: { organization?: string; commonName?: string; now?: Date } = {}): CaMaterial {
  const org = options.organization ?? 'signet';
  const cn = options.commonName ?? 'signet';
  const now = options.now ?? new Date();
  const rootKey = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  const intermediateKey = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  const rootName = organizationName(org, cn);
  const notAfter = new Date(now.getTime() + 10 * YEAR_MS);
  const rootDer = signCertificate(caTbs(rootName, rootName, rootKey, rootKey, now, notAfter, false), rootKey);
  const intTbs = caTbs(
    rootName,
    organizationName(org, `${cn}-intermediate`),
    intermediateKey,
    rootKey,
    now,
    notAfter,
    true,
  );
  const intermediateDer = signCertificate(intTbs, rootKey);
  return { rootDer, intermediateDer, rootKey, intermediateKey };
}

function caTbs(
  issuer: Name,
  subject: Name,
  subjectKey: KeyObject,
  issuerKey: KeyObject,
  notBefore: Date,
  notAfter: Date,
  intermediate: boolean,
): TBSCertificate {
  const exts = [
    extension(id_ce_keyUsage, true, new KeyUsage(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign)),
    ...(intermediate ? [extension(id_ce_extKeyUsage, false, new ExtendedKeyUsage([id_kp_codeSigning]))] : []),
    extension(
      id_ce_basicConstraints,
      true,
      new BasicConstraints({ cA: true, ...(intermediate ? { pathLenConstraint: 0 } : { pathLenConstraint: 1 }) }),
    ),
    extension(id_ce_subjectKeyIdentifier, false, new SubjectKeyIdentifier(keyIdentifier(subjectKey))),
    ...(intermediate
      ? [
          extension(
            id_ce_authorityKeyIdentifier,
            false,
            new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(keyIdentifier(issuerKey)) }),
          ),
        ]
      : []),
  ];
  return new TBSCertificate({
    version: Version.v3,
    serialNumber: randomSerial(),
    issuer,
    validity: validity(notBefore, notAfter),
    subject,
    subjectPublicKeyInfo: spkiOf(subjectKey),
    extensions: new Extensions(exts),
  });
}
