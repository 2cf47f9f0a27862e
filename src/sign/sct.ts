import { X509Certificate as PeculiarCertificate } from '@peculiar/x509';
import { SignetError } from '../errors.js';
import type { IssuedCertificate } from './fulcio-client.js';

/** RFC 6962 embedded SCT list extension. */
const SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.2';

/**
 * A keyless signature is only verifiable (cosign, sigstore-js) when the certificate carries an SCT. Checks the leaf
 * has a non-empty embedded SCT list; a detached-SCT answer is refused, as sigstore-go does for v2 bundles.
 */
export function requireEmbeddedSct(issued: IssuedCertificate): void {
  const ext = new PeculiarCertificate(issued.leaf.raw).getExtension(SCT_LIST_OID);
  if (!issued.embeddedSct || !ext || ext.value.byteLength < 4) {
    throw new SignetError(
      'verification-failed',
      'fulcio: the certificate carries no embedded SCT (is the CA running without a CT log?)',
    );
  }
}
