import { SignetError } from '../errors.js';
import { extensionValue, OID_CT_SCT_LIST } from '../encoding/index.js';
import type { IssuedCertificate } from './fulcio-client.js';

/**
 * A keyless signature is only verifiable (cosign, sigstore-js) when the certificate carries an SCT. Checks the leaf
 * has a non-empty embedded SCT list; a detached-SCT answer is refused, as sigstore-go does for v2 bundles.
 */
export function requireEmbeddedSct(issued: IssuedCertificate): void {
  const value = issued.embeddedSct ? extensionValue(issued.leaf.raw, OID_CT_SCT_LIST) : undefined;
  if (!value || value.length < 4) {
    throw new SignetError(
      'verification-failed',
      'fulcio: the certificate carries no embedded SCT (is the CA running without a CT log?)',
    );
  }
}
