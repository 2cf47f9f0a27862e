import { invalidInput } from '../errors.js';
import { TAG, derBytes, derChildren, derValue, encodeTlv, parseDer, type Der } from './der.js';

/**
 * Byte-exact views into an X.509 certificate's TBSCertificate, for what signs the bytes as written (CT's
 * precertificate entries, SCT checks): nothing is re-encoded except the one extension list cut.
 */
function tbsParts(certDer: Buffer): { tbs: Der; fields: Der[] } {
  const cert = parseDer(certDer, 'certificate');
  const tbs = cert.tag === TAG.sequence ? derChildren(cert)[0] : undefined;
  if (!tbs || tbs.tag !== TAG.sequence) throw invalidInput('certificate has no TBSCertificate');
  return { tbs, fields: derChildren(tbs) };
}

/**
 * Certificate signature algorithms by their exact AlgorithmIdentifier DER (hex; ECDSA with parameters absent as
 * RFC 5758 3.2 writes them, RSA with NULL), with the hash node:crypto's verify takes and the issuer key type they
 * need. What a verifier checks itself over the TBS bytes; anything else is left to OpenSSL's X509_verify.
 */
export const CERT_SIGNATURE_ALGORITHMS: ReadonlyMap<string, { hash: string | null; keyType: string }> = new Map([
  ['300a06082a8648ce3d040302', { hash: 'sha256', keyType: 'ec' }], // ecdsa-with-SHA256
  ['300a06082a8648ce3d040303', { hash: 'sha384', keyType: 'ec' }], // ecdsa-with-SHA384
  ['300a06082a8648ce3d040304', { hash: 'sha512', keyType: 'ec' }], // ecdsa-with-SHA512
  ['300d06092a864886f70d01010b0500', { hash: 'sha256', keyType: 'rsa' }], // sha256WithRSAEncryption
  ['300d06092a864886f70d01010c0500', { hash: 'sha384', keyType: 'rsa' }], // sha384WithRSAEncryption
  ['300d06092a864886f70d01010d0500', { hash: 'sha512', keyType: 'rsa' }], // sha512WithRSAEncryption
  ['300506032b6570', { hash: null, keyType: 'ed25519' }], // Ed25519
]);

/**
 * Whether a TBSCertificate's signature field (after an optional [0] version and the serial) is byte for byte the
 * outer signatureAlgorithm: X509_verify refuses a certificate where they differ, so a verifier doing its own
 * signature check makes the same one first.
 */
export function tbsNamesAlgorithm(tbsFields: Der[], algorithmDer: Buffer): boolean {
  const tbsAlgorithm = tbsFields[tbsFields[0]?.tag === 0xa0 ? 2 : 1];
  return tbsAlgorithm !== undefined && derBytes(tbsAlgorithm).equals(algorithmDer);
}

/** The raw SubjectPublicKeyInfo (the field after subject; after an optional [0] version). */
export function subjectPublicKeyInfo(certDer: Buffer): Buffer {
  const { fields } = tbsParts(certDer);
  const spki = fields[fields[0]?.tag === 0xa0 ? 6 : 5];
  if (!spki || spki.tag !== TAG.sequence) throw invalidInput('certificate has no subject public key info');
  return derBytes(spki);
}

function extensions(certDer: Buffer) {
  const { tbs, fields } = tbsParts(certDer);
  const wrapper = fields.find((f) => f.tag === 0xa3);
  const seq = wrapper && derChildren(wrapper)[0];
  const list = seq
    ? derChildren(seq).map((ext) => {
        const [oid, ...rest] = derChildren(ext);
        if (!oid || oid.tag !== TAG.oid) throw invalidInput('certificate extension has no OID');
        return { ext, oid: derValue(oid), value: rest.find((r) => r.tag === TAG.octetString) };
      })
    : [];
  return { tbs, fields, wrapper, list };
}

/** OIDs (content bytes) of the certificate's extensions, in order. */
export function extensionOids(certDer: Buffer): Buffer[] {
  return extensions(certDer).list.map((e) => e.oid);
}

/** The OCTET STRING content of the extension with OID content bytes `oid`, if present. */
export function extensionValue(certDer: Buffer, oid: Buffer): Buffer | undefined {
  const found = extensions(certDer).list.find((e) => e.oid.equals(oid));
  return found?.value && derValue(found.value);
}

/**
 * The TBSCertificate DER with every extension whose OID (content bytes) is `oid` removed, the rest byte-for-byte
 * as it was. When no extension is left the `[3] extensions` field goes too, as Go's BuildPrecertTBS does.
 */
export function tbsWithoutExtension(certDer: Buffer, oid: Buffer): Buffer {
  const { tbs, fields, wrapper, list } = extensions(certDer);
  const kept = list.filter((e) => !e.oid.equals(oid)).map((e) => derBytes(e.ext));
  const rebuilt = fields.flatMap((f) => {
    if (f !== wrapper) return [derBytes(f)];
    return kept.length ? [encodeTlv(0xa3, encodeTlv(TAG.sequence, Buffer.concat(kept)))] : [];
  });
  return encodeTlv(tbs.tag, Buffer.concat(rebuilt));
}

/** OID content bytes of the CT extensions (RFC 6962 §3.1, §3.3). */
export const OID_CT_POISON = Buffer.from('2b06010401d679020403', 'hex'); // 1.3.6.1.4.1.11129.2.4.3
export const OID_CT_SCT_LIST = Buffer.from('2b06010401d679020402', 'hex'); // 1.3.6.1.4.1.11129.2.4.2
export const OID_CT_PRECERT_SIGNING = Buffer.from('2b06010401d679020404', 'hex'); // 1.3.6.1.4.1.11129.2.4.4
