import { createHash } from 'node:crypto';
import { OID_CT_SCT_LIST, subjectPublicKeyInfo, tbsWithoutExtension, type SignedEntry } from '../encoding/index.js';

/**
 * What a client checks an embedded SCT against (RFC 6962 §3.2, fulcio docs/ctlog.md): the final certificate's TBS
 * with the SCT-list extension removed, and SHA-256 of the issuer's SubjectPublicKeyInfo.
 */
export function precertEntryFromFinal(certDer: Buffer, issuerDer: Buffer): SignedEntry {
  return {
    type: 'precert',
    issuerKeyHash: createHash('sha256').update(subjectPublicKeyInfo(issuerDer)).digest(),
    tbsDer: tbsWithoutExtension(certDer, OID_CT_SCT_LIST),
  };
}
