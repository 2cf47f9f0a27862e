import type { KeyObject } from 'node:crypto';
import { statSync } from 'node:fs';
import type { TsaTrust } from '../tsa/index.js';
import type { LogTrust, TrustInputs } from './trust-root.js';

/** The parts of the running services that trust distribution reads (each service's own public face). */
export interface StackTrustSources {
  publicUrl: string;
  /** The Rekor-compatible log: its key, and the key file whose creation time starts its validity (none for a CA alone). */
  tlog?: { publicKey: KeyObject; keyFile: string };
  /** The Rekor v2 log beside it (same base URL, API under /api/v2/), listed with its C2SP log ID. */
  rekorV2?: { publicKey: KeyObject; logId: Buffer; createdAt: Date };
  ctlog?: { baseUrl: string; publicKey: KeyObject; createdAt: Date };
  ca?: { trust(): { certChainDer: Buffer[]; validFrom: Date; uri: string } };
  oidc?: { issuerUrl: string };
  tsa?: { trust(): TsaTrust };
}

/**
 * Trust inputs for `signet up` (and for `log serve` / `ca serve` run alone, with the parts they hold). The log's
 * `validFor.start` is its key file's creation time (second precision, rounded down), which is before any entry it
 * signed. The dev provider is advertised from the CA's start.
 */
export function stackTrustInputs(s: StackTrustSources): () => TrustInputs {
  const tlogFrom = s.tlog ? keyFileCreated(s.tlog.keyFile) : undefined;
  return () => {
    const ca = s.ca?.trust();
    return {
      tlogs: [
        ...(s.tlog && tlogFrom ? [{ baseUrl: s.publicUrl, publicKey: s.tlog.publicKey, validFrom: tlogFrom }] : []),
        ...(s.rekorV2 ? [rekorV2Trust(s.publicUrl, s.rekorV2)] : []),
      ],
      ctlogs: s.ctlog ? [{ baseUrl: s.ctlog.baseUrl, publicKey: s.ctlog.publicKey, validFrom: s.ctlog.createdAt }] : [],
      certificateAuthorities: ca ? [ca] : [],
      timestampAuthorities: s.tsa ? [s.tsa.trust()] : [],
      oidcUrls: s.oidc ? [{ url: s.oidc.issuerUrl, validFrom: ca?.validFrom ?? tlogFrom ?? new Date(0) }] : [],
    };
  };
}

function keyFileCreated(file: string): Date {
  const st = statSync(file);
  return new Date(Math.floor((st.birthtimeMs || st.mtimeMs) / 1000) * 1000);
}

function rekorV2Trust(baseUrl: string, v2: NonNullable<StackTrustSources['rekorV2']>): LogTrust {
  const validFrom = new Date(Math.floor(v2.createdAt.getTime() / 1000) * 1000);
  return { baseUrl, publicKey: v2.publicKey, validFrom, majorApiVersion: 2, logId: v2.logId };
}
