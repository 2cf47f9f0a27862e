import { verificationFailed } from '../errors.js';
import { TAG, derChildren, derTime, derValue, expectTag, oidString, parseDer, type Der } from './der.js';

const SIGNED_DATA = '1.2.840.113549.1.7.2';
const TST_INFO = '1.2.840.113549.1.9.16.1.4';

/**
 * The parts of an RFC 3161 TimeStampToken (a CMS ContentInfo of SignedData) that its readers need: SignedData's
 * fields (version, digestAlgorithms, encapContentInfo, certificates?, crls?, signerInfos) and the encapsulated
 * TSTInfo's bytes. Shared by the verifier (src/verify) and the client's reply check (src/tsa-client).
 */
export function timestampTokenContent(token: Der): { signedData: Der[]; tstInfo: Buffer } {
  const [contentType, content] = derChildren(token);
  if (oidString(derValue(expectTag(contentType, TAG.oid, 'timestamp content type'))) !== SIGNED_DATA) {
    throw verificationFailed('the timestamp is not CMS signed data');
  }
  const signedData = derChildren(
    expectTag(derChildren(expectTag(content, 0xa0, 'timestamp content'))[0], TAG.sequence, 'signed data'),
  );
  const encap = derChildren(expectTag(signedData[2], TAG.sequence, 'timestamp encapsulated content'));
  if (oidString(derValue(expectTag(encap[0], TAG.oid, 'timestamp eContentType'))) !== TST_INFO) {
    throw verificationFailed('the timestamp does not hold a TSTInfo');
  }
  const tstInfo = derValue(
    expectTag(derChildren(expectTag(encap[1], 0xa0, 'eContent'))[0], TAG.octetString, 'eContent'),
  );
  return { signedData, tstInfo };
}

/**
 * What a TSTInfo says (`SEQUENCE { version, policy, messageImprint { hashAlgorithm, hashedMessage }, serialNumber,
 * genTime, accuracy?, ordering?, nonce?, tsa?, extensions? }`), unverified.
 */
export function tstInfoFields(buf: Buffer): { imprintOid: string; imprint: Buffer; genTime: Date; nonce?: Buffer } {
  const fields = derChildren(expectTag(parseDer(buf, 'TSTInfo'), TAG.sequence, 'TSTInfo'));
  const [algorithm, hashed] = derChildren(expectTag(fields[2], TAG.sequence, 'message imprint'));
  const imprintOid = oidString(
    derValue(
      expectTag(derChildren(expectTag(algorithm, TAG.sequence, 'imprint algorithm'))[0], TAG.oid, 'imprint algorithm'),
    ),
  );
  const out = {
    imprintOid,
    imprint: derValue(expectTag(hashed, TAG.octetString, 'imprint')),
    genTime: derTime(expectTag(fields[4], TAG.generalizedTime, 'genTime')),
  };
  // After genTime, accuracy (SEQUENCE) and ordering (BOOLEAN) are optional: the nonce is the first INTEGER.
  const nonce = fields.slice(5).find((f) => f.tag === TAG.integer);
  return nonce ? { ...out, nonce: derValue(nonce) } : out;
}
