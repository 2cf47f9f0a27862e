import type { KeyObject } from 'node:crypto';
import { statSync } from 'node:fs';
import type { TrustInputs } from './trust-root.js';

/** The parts of the running services that trust distribution reads (each service's own public face). */
export interface StackTrustSources {
  publicUrl: string;
  /** The Rekor-compatible log: its key, and the key file whose creation time starts its validity. */
  tlog: { publicKey: KeyObject; keyFile: string };
  ctlog?: { baseUrl: string; publicKey: KeyObject; createdAt: Date };
  ca?: { trust(): { certChainDer: Buffer[]; validFrom: Date; uri: string } };
  oidc?: { issuerUrl: string };
}

/**
 * Trust inputs for `signet up`. The log's `validFor.start` is its key file's creation time (second precision,
 * rounded down), which is before any entry it signed. The dev provider is advertised from the CA's start.
 */
export function stackTrustInputs(s: StackTrustSources): () => TrustInputs {
  const st = statSync(s.tlog.keyFile);
  const tlogFrom = new Date(Math.floor((st.birthtimeMs || st.mtimeMs) / 1000) * 1000);
  return () => {
    const ca = s.ca?.trust();
    return {
      tlogs: [{ baseUrl: s.publicUrl, publicKey: s.tlog.publicKey, validFrom: tlogFrom }],
      ctlogs: s.ctlog ? [{ baseUrl: s.ctlog.baseUrl, publicKey: s.ctlog.publicKey, validFrom: s.ctlog.createdAt }] : [],
      certificateAuthorities: ca ? [ca] : [],
      oidcUrls: s.oidc ? [{ url: s.oidc.issuerUrl, validFrom: ca?.validFrom ?? tlogFrom }] : [],
    };
  };
}
