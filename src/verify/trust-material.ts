import { createPublicKey } from 'node:crypto';
import type { CertificateAuthority, TransparencyLogInstance, TrustedRoot } from '../bundle/index.js';
import { invalidInput } from '../errors.js';
import { issuedBy, isSelfIssued, parseCertificate, validAt, type Certificate } from './certificate.js';
import { tlogAuthoritiesFromTrustedRoot, tlogAuthority, type TlogAuthority } from './tlog-authority.js';

export interface TimeWindow {
  start: Date;
  end?: Date;
}

/** A CA (Fulcio) or TSA from the trusted root: its chain parsed and checked once, leaf-most first. */
export interface Authority {
  chain: Certificate[];
  validFor: TimeWindow;
  uri?: string;
  /** False when the chain itself does not link up (each cert issued by the next, ending self-signed). */
  chainLinks: boolean;
}

/**
 * The trusted root in the form the verifier uses: keys and certificates parsed once, CA chains checked once.
 * Build it once per root and reuse it for every bundle; that is most of what makes verification fast.
 */
export interface TrustMaterial {
  root: TrustedRoot;
  tlogs: TlogAuthority[];
  ctlogs: TlogAuthority[];
  certificateAuthorities: Authority[];
  timestampAuthorities: Authority[];
}

const cache = new WeakMap<TrustedRoot, TrustMaterial>();

export function trustMaterial(root: TrustedRoot): TrustMaterial {
  const hit = cache.get(root);
  if (hit) return hit;
  const material: TrustMaterial = {
    root,
    tlogs: tlogAuthoritiesFromTrustedRoot(root),
    ctlogs: (root.ctlogs ?? []).flatMap(ctlogAuthority),
    certificateAuthorities: (root.certificateAuthorities ?? []).map((ca, i) =>
      authority(ca, `certificateAuthorities[${i}]`),
    ),
    timestampAuthorities: (root.timestampAuthorities ?? []).map((ca, i) => authority(ca, `timestampAuthorities[${i}]`)),
  };
  cache.set(root, material);
  return material;
}

/**
 * A CT log key. Old roots list keys as PKCS#1 RSA (`PKCS1_RSA_PKCS1V5`), which tlogAuthority (SPKI only) rejects;
 * such a key is read as PKCS#1. A CT log whose key cannot be read is left out: its SCTs then do not count.
 */
function ctlogAuthority(log: TransparencyLogInstance): TlogAuthority[] {
  if (log.publicKey?.keyDetails?.startsWith('PKCS1_RSA') && log.publicKey.rawBytes) {
    try {
      const spki = createPublicKey({ key: Buffer.from(log.publicKey.rawBytes, 'base64'), format: 'der', type: 'pkcs1' })
        .export({ format: 'der', type: 'spki' })
        .toString('base64');
      return [tlogAuthority({ ...log, publicKey: { ...log.publicKey, rawBytes: spki } })];
    } catch {
      return [];
    }
  }
  try {
    return [tlogAuthority(log)];
  } catch (e) {
    if (!log.publicKey?.validFor?.start) throw e; // a missing validity start makes the whole root invalid
    return [];
  }
}

function authority(ca: CertificateAuthority, where: string): Authority {
  if (!ca.validFor?.start) throw invalidInput(`trusted root: ${where} has no validFor.start`);
  let chain: Certificate[];
  try {
    chain = ca.certChain.certificates.map((c, i) =>
      parseCertificate(Buffer.from(c.rawBytes, 'base64'), `trusted root ${where} certificate ${i}`),
    );
  } catch (e) {
    throw invalidInput(`trusted root: ${where} has a certificate that does not parse`, e);
  }
  const validFor: TimeWindow = { start: new Date(ca.validFor.start) };
  if (ca.validFor.end) validFor.end = new Date(ca.validFor.end);
  const result: Authority = { chain, validFor, chainLinks: chainLinks(chain) };
  if (ca.uri) result.uri = ca.uri;
  return result;
}

/** Each certificate is issued by the next one; the last is self-signed. Checked once per trusted root. */
function chainLinks(chain: Certificate[]): boolean {
  for (let i = 0; i + 1 < chain.length; i++) if (!issuedBy(chain[i]!, chain[i + 1]!)) return false;
  const anchor = chain[chain.length - 1]!;
  return isSelfIssued(anchor) && issuedBy(anchor, anchor);
}

export function windowContains(w: TimeWindow, t: Date): boolean {
  return w.start.getTime() <= t.getTime() && (!w.end || t.getTime() <= w.end.getTime());
}

/** Every certificate of a chain valid at `t` (RFC 5280 §6.1.3 (a)(2), applied at the verified time). */
export function chainValidAt(chain: Certificate[], t: Date): boolean {
  return chain.every((c) => validAt(c, t));
}
