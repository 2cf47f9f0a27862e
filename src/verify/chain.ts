import { verificationFailed } from '../errors.js';
import { extendedKeyUsages, issuedBy, OID, validAt, type Certificate } from './certificate.js';
import { chainValidAt, windowContains, type Authority } from './trust-material.js';

/**
 * Path validation of a Fulcio leaf against the trusted CAs, at every verified time (the "hybrid" model of the
 * Sigstore client spec: the signing certificate was valid when the log or TSA saw the signature). Only the
 * trusted root's chains are used as issuers; intermediates carried in a bundle are never trusted.
 * Returns the path above the leaf (issuer first) so SCTs can name the issuer's key.
 */
export function verifyCertificateChain(leaf: Certificate, cas: Authority[], times: Date[]): Certificate[] {
  checkLeafProfile(leaf);
  let reason = 'the signing certificate was not issued by a trusted certificate authority';
  for (const ca of cas) {
    if (!ca.chainLinks) continue;
    const at = ca.chain.findIndex((c) => c.isCa && issuedBy(leaf, c));
    if (at < 0) continue;
    const path = ca.chain.slice(at);
    const outside = times.find((t) => !windowContains(ca.validFor, t));
    if (outside) {
      reason = `the certificate authority was not trusted at ${outside.toISOString()}`;
      continue;
    }
    const expired = times.find((t) => !validAt(leaf, t) || !chainValidAt(path, t));
    if (expired) {
      reason = `the signing certificate chain was not valid at ${expired.toISOString()}`;
      continue;
    }
    return path;
  }
  throw verificationFailed(reason);
}

/** Fulcio's profile for a signing certificate: an end entity for code signing. */
function checkLeafProfile(leaf: Certificate): void {
  if (leaf.isCa) throw verificationFailed('the signing certificate is a CA certificate');
  if (!extendedKeyUsages(leaf).includes(OID.codeSigning)) {
    throw verificationFailed('the signing certificate is not for code signing');
  }
}
