import { createHash } from 'node:crypto';
import { messageHash, verifyByTrustedKey } from '../crypto/index.js';
import { verificationFailed } from '../errors.js';
import { extension, OID, type Certificate } from './certificate.js';
import {
  OID_CT_SCT_LIST,
  parseDer,
  parseSctList,
  sctSignedData,
  TAG,
  tbsWithoutExtension,
  type Sct,
} from '../encoding/index.js';
import { windowContains } from './trust-material.js';
import type { TlogAuthority } from './tlog-authority.js';

/** The SCTs of the certificate's SignedCertificateTimestampList extension (empty when absent). */
export function embeddedScts(cert: Certificate): Sct[] {
  const ext = extension(cert, OID.sctList);
  if (!ext) return [];
  const list = parseDer(ext.value, 'SCT list');
  if (list.tag !== TAG.octetString) throw verificationFailed('the SCT list extension is malformed');
  try {
    return parseSctList(list.buf.subarray(list.valueStart, list.end));
  } catch (e) {
    throw verificationFailed(`the SCT list extension is malformed: ${(e as Error).message}`, e);
  }
}

/**
 * Verifies the certificate's embedded SCTs against the trusted CT logs and returns how many verified. An SCT
 * signs the precertificate entry: SHA-256 of the issuer's SPKI and the TBS without the SCT list extension.
 */
export function verifyEmbeddedScts(leaf: Certificate, issuer: Certificate, ctlogs: TlogAuthority[]): number {
  const scts = embeddedScts(leaf);
  if (scts.length === 0) return 0;
  const tbs = tbsWithoutSctList(leaf);
  const issuerKeyHash = createHash('sha256').update(issuer.spki).digest();
  let verified = 0;
  for (const sct of scts) {
    const log = ctlogs.find((l) => l.logId.equals(sct.logId));
    if (!log || sct.version !== 0) continue;
    if (!windowContains(log.validFor, new Date(sct.timestamp))) continue;
    const signed = sctSignedData({ type: 'precert', issuerKeyHash, tbsDer: tbs }, sct.timestamp, sct.extensions);
    const hash = messageHash(log.publicKey, 'sha256');
    try {
      if (verifyByTrustedKey(hash, signed, log.publicKey, sct.signature.signature)) verified++;
    } catch {
      // a malformed signature is simply not a valid SCT
    }
  }
  return verified;
}

/** The TBSCertificate re-encoded without the SCT list extension (what the CT log saw in the precertificate). */
export function tbsWithoutSctList(cert: Certificate): Buffer {
  return tbsWithoutExtension(cert.der, OID_CT_SCT_LIST);
}
