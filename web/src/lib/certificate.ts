import { toHex } from './bytes.js';
import { children, expectTag, oidString, parseDer, stringValue, TAG, timeValue, type Tlv } from './der.js';

/** What the explorer shows of an X.509 certificate (a Fulcio leaf, or a CT precertificate's TBS). */
export interface CertificateInfo {
  serialHex: string;
  issuer: string;
  subject: string;
  notBefore: Date;
  notAfter: Date;
  keyAlgorithm: string;
  /** Subject alternative names as `email:`, `uri:`, `dns:`, `ip:` or `other:` strings. */
  sans: string[];
  /** Sigstore extensions (1.3.6.1.4.1.57264.1.x) by OID, decoded to text. */
  sigstore: Record<string, string>;
}

const SIGSTORE_ARC = '1.3.6.1.4.1.57264.1.';

/** Names of the Sigstore certificate extensions (Fulcio's docs/oid-info.md), by last arc. */
export const SIGSTORE_OIDS: Record<number, string> = {
  1: 'Issuer (v1)',
  2: 'GitHub Workflow Trigger',
  3: 'GitHub Workflow SHA',
  4: 'GitHub Workflow Name',
  5: 'GitHub Workflow Repository',
  6: 'GitHub Workflow Ref',
  8: 'Issuer',
  9: 'Build Signer URI',
  10: 'Build Signer Digest',
  11: 'Runner Environment',
  12: 'Source Repository URI',
  13: 'Source Repository Digest',
  14: 'Source Repository Ref',
  15: 'Source Repository Identifier',
  16: 'Source Repository Owner URI',
  17: 'Source Repository Owner Identifier',
  18: 'Build Config URI',
  19: 'Build Config Digest',
  20: 'Build Trigger',
  21: 'Run Invocation URI',
  22: 'Source Repository Visibility At Signing',
  23: 'Deployment Environment',
  24: 'Token Subject',
};

const NAME_ATTRS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '1.2.840.113549.1.9.1': 'E',
};

const KEY_ALGS: Record<string, string> = {
  '1.2.840.10045.3.1.7': 'ECDSA P-256',
  '1.3.132.0.34': 'ECDSA P-384',
  '1.3.132.0.35': 'ECDSA P-521',
  '1.3.101.112': 'Ed25519',
  '1.2.840.113549.1.1.1': 'RSA',
};

/** Parses a DER certificate. */
export function parseCertificate(der: Uint8Array): CertificateInfo {
  const cert = expectTag(parseDer(der), TAG.SEQUENCE, 'Certificate');
  return parseTbs(expectTag(children(cert)[0], TAG.SEQUENCE, 'TBSCertificate'));
}

/** Parses a TBSCertificate (what a CT precertificate entry carries). */
export function parseTbs(tbs: Tlv): CertificateInfo {
  const f = children(tbs);
  let i = f[0]?.tag === 0xa0 ? 1 : 0; // [0] EXPLICIT version
  const serial = expectTag(f[i++], TAG.INTEGER, 'serialNumber');
  i++; // signature AlgorithmIdentifier
  const issuer = nameString(expectTag(f[i++], TAG.SEQUENCE, 'issuer'));
  const validity = children(expectTag(f[i++], TAG.SEQUENCE, 'validity'));
  const subject = nameString(expectTag(f[i++], TAG.SEQUENCE, 'subject'));
  const keyAlgorithm = spkiAlgorithm(expectTag(f[i++], TAG.SEQUENCE, 'subjectPublicKeyInfo'));
  const info: CertificateInfo = {
    serialHex: toHex(serial.value),
    issuer,
    subject,
    notBefore: timeValue(validity[0]!),
    notAfter: timeValue(validity[1]!),
    keyAlgorithm,
    sans: [],
    sigstore: {},
  };
  const exts = f.slice(i).find((t) => t.tag === 0xa3);
  if (exts)
    for (const ext of children(expectTag(children(exts)[0], TAG.SEQUENCE, 'extensions'))) addExtension(info, ext);
  return info;
}

/** The key algorithm named by a SubjectPublicKeyInfo (for EC keys, by curve). */
export function spkiAlgorithm(spki: Tlv): string {
  const alg = children(expectTag(children(spki)[0], TAG.SEQUENCE, 'AlgorithmIdentifier'));
  const oid = oidString(expectTag(alg[0], TAG.OID, 'algorithm').value);
  const param = alg[1]?.tag === TAG.OID ? oidString(alg[1].value) : undefined;
  return KEY_ALGS[param ?? oid] ?? KEY_ALGS[oid] ?? oid;
}

function addExtension(info: CertificateInfo, ext: Tlv): void {
  const parts = children(ext);
  const oid = oidString(expectTag(parts[0], TAG.OID, 'extnID').value);
  const value = expectTag(parts[parts.length - 1], TAG.OCTET_STRING, 'extnValue').value;
  if (oid === '2.5.29.17') info.sans = generalNames(parseDer(value));
  else if (oid.startsWith(SIGSTORE_ARC)) {
    const arc = Number(oid.slice(SIGSTORE_ARC.length));
    // .1 to .6 carry raw string bytes; .8 and later a DER string.
    info.sigstore[oid] = arc <= 6 ? new TextDecoder().decode(value) : stringValue(parseDer(value));
  }
}

function generalNames(seq: Tlv): string[] {
  return children(seq).map((n) => {
    switch (n.tag) {
      case 0x81:
        return `email:${stringValue(n)}`;
      case 0x82:
        return `dns:${stringValue(n)}`;
      case 0x86:
        return `uri:${stringValue(n)}`;
      case 0x87:
        return `ip:${n.value.length === 4 ? [...n.value].join('.') : toHex(n.value)}`;
      case 0xa0: {
        // otherName { type-id, [0] EXPLICIT value }: Fulcio's username SAN is a UTF8String under 57264.1.7.
        const [, value] = children(n);
        const inner = value ? children(value)[0] : undefined;
        return `other:${inner ? stringValue(inner) : ''}`;
      }
      default:
        return `tag${n.tag.toString(16)}:${toHex(n.value)}`;
    }
  });
}

function nameString(name: Tlv): string {
  return children(name)
    .flatMap((rdn) => children(rdn))
    .map((atv) => {
      const [type, value] = children(atv);
      const oid = oidString(expectTag(type, TAG.OID, 'attribute type').value);
      return `${NAME_ATTRS[oid] ?? oid}=${value ? stringValue(value) : ''}`;
    })
    .join(', ');
}

/** The signer as Sigstore identifies it: the first SAN (without its type) and the OIDC issuer extension. */
export function signerIdentity(c: CertificateInfo): { identity?: string; issuer?: string } {
  const san = c.sans[0];
  return {
    identity: san === undefined ? undefined : san.slice(san.indexOf(':') + 1),
    issuer: c.sigstore[`${SIGSTORE_ARC}8`] ?? c.sigstore[`${SIGSTORE_ARC}1`],
  };
}

/** For CI certificates: the workflow, repository, ref and commit (the v2 extensions, else the v1 GitHub ones). */
export function ciProvenance(
  c: CertificateInfo,
): Partial<Record<'workflow' | 'repository' | 'ref' | 'commit' | 'trigger', string>> {
  const get = (...arcs: number[]) => arcs.map((a) => c.sigstore[`${SIGSTORE_ARC}${a}`]).find((v) => v !== undefined);
  const out = {
    workflow: get(18, 9, 4),
    repository: get(12, 5),
    ref: get(14, 6),
    commit: get(13, 3),
    trigger: get(20, 2),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

/** The Sigstore extensions as (name, OID, value) rows, in OID order. */
export function sigstoreExtensionRows(c: CertificateInfo): Array<{ name: string; oid: string; value: string }> {
  return Object.entries(c.sigstore)
    .map(([oid, value]) => ({ oid, value, arc: Number(oid.slice(SIGSTORE_ARC.length)) }))
    .sort((a, b) => a.arc - b.arc)
    .map(({ oid, value, arc }) => ({ name: SIGSTORE_OIDS[arc] ?? oid, oid, value }));
}
