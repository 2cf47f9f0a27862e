import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import {
  SIGNING_CONFIG_MEDIA_TYPE,
  TRUSTED_ROOT_MEDIA_TYPE,
  type CertificateAuthority,
  type ServiceUrl,
  type SigningConfig,
  type TransparencyLogInstance,
  type TrustedRoot,
} from '../bundle/index.js';
import { keyDetails } from '../crypto/index.js';
import type { TsaTrust } from '../tsa/index.js';

/** A log (Rekor or CT) as trusted_root.json lists it. */
export interface LogTrust {
  baseUrl: string;
  publicKey: KeyObject;
  /** The key's first day of use: `publicKey.validFor.start`. */
  validFrom: Date;
  /** Rekor API version (default 1); a Rekor v2 log is listed with `majorApiVersion: 2`. */
  majorApiVersion?: number;
  /** The log ID when it is not SHA-256(SPKI): Rekor v2's C2SP checkpoint key ID. */
  logId?: Buffer;
}

/** A CA chain as the CA service reports it (H5's `CaService.trust()`): intermediate(s) first, root last. */
export interface CaTrust {
  certChainDer: Buffer[];
  validFrom: Date;
  uri: string;
}

export interface TrustInputs {
  tlogs: LogTrust[];
  ctlogs: LogTrust[];
  certificateAuthorities: CaTrust[];
  timestampAuthorities?: TsaTrust[];
  /** The dev (or another) OIDC issuer to advertise in signing_config.json. */
  oidcUrls: Array<{ url: string; validFrom: Date }>;
}

/** protobuf-specs TrustedRoot (v0.1 media type, understood by every client) in its JSON form. */
export function buildTrustedRoot(t: TrustInputs): TrustedRoot {
  return {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: t.tlogs.map(logInstance),
    certificateAuthorities: t.certificateAuthorities.map(certificateAuthority),
    ctlogs: t.ctlogs.map(logInstance),
    timestampAuthorities: (t.timestampAuthorities ?? []).map(timestampAuthority),
  };
}

/**
 * SigningConfig v0.2: one CA, one OIDC provider, one Rekor v1 log, selector ANY, and the TSAs (full timestamp URL,
 * selector ANY). No `tsaConfig` without a TSA: sigstore-js fails to build a signer when a TSA selector is given
 * and no TSA URL matches.
 */
export function buildSigningConfig(t: TrustInputs): SigningConfig {
  const service = (url: string, validFrom: Date, majorApiVersion = 1): ServiceUrl => ({
    url,
    majorApiVersion,
    validFor: { start: rfc3339(validFrom) },
  });
  return {
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: t.certificateAuthorities.map((ca) => service(ca.uri, ca.validFrom)),
    oidcUrls: t.oidcUrls.map((o) => service(o.url, o.validFrom)),
    rekorTlogUrls: rekorLogs(t).map((l) => service(l.baseUrl, l.validFrom, l.majorApiVersion)),
    tsaUrls: (t.timestampAuthorities ?? []).map((tsa) => service(tsa.uri, tsa.validFrom)),
    rekorTlogConfig: { selector: 'ANY' },
    ...(t.timestampAuthorities?.length ? { tsaConfig: { selector: 'ANY' as const } } : {}),
  };
}

/**
 * The Rekor logs to sign with, v2 first: clients that pick the newest `validFor.start` (sigstore-js) keep list
 * order on a tie. A Rekor v2 log is listed only beside a TSA: its entries carry no signed time, so a bundle
 * without a timestamp would not verify.
 */
function rekorLogs(t: TrustInputs): LogTrust[] {
  const hasTsa = (t.timestampAuthorities ?? []).length > 0;
  return t.tlogs
    .filter((l) => (l.majorApiVersion ?? 1) === 1 || hasTsa)
    .sort((a, b) => (b.majorApiVersion ?? 1) - (a.majorApiVersion ?? 1));
}

function logInstance(l: LogTrust): TransparencyLogInstance {
  const spki = l.publicKey.export({ type: 'spki', format: 'der' });
  return {
    baseUrl: l.baseUrl,
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: spki.toString('base64'),
      keyDetails: keyDetails(l.publicKey),
      validFor: { start: rfc3339(l.validFrom) },
    },
    logId: { keyId: (l.logId ?? createHash('sha256').update(spki).digest()).toString('base64') },
  };
}

function certificateAuthority(ca: CaTrust): CertificateAuthority {
  const out: CertificateAuthority = {
    uri: ca.uri,
    certChain: { certificates: ca.certChainDer.map((d) => ({ rawBytes: d.toString('base64') })) },
    validFor: { start: rfc3339(ca.validFrom) },
  };
  return withSubject(out, ca.certChainDer[ca.certChainDer.length - 1]!);
}

/** The leaf leads the chain (sigstore-js matches the token's signer against `certChain[0]`); valid as the leaf. */
function timestampAuthority(tsa: TsaTrust): CertificateAuthority {
  const out: CertificateAuthority = {
    uri: tsa.uri,
    certChain: { certificates: tsa.certChainDer.map((d) => ({ rawBytes: d.toString('base64') })) },
    validFor: { start: rfc3339(tsa.validFrom), end: rfc3339(tsa.validTo) },
  };
  return withSubject(out, tsa.certChainDer[0]!);
}

function withSubject(out: CertificateAuthority, der: Buffer): CertificateAuthority {
  const subject = Object.fromEntries(
    new X509Certificate(der).subject.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  if (subject.O || subject.CN) out.subject = { organization: subject.O ?? '', commonName: subject.CN ?? '' };
  return out;
}

/** RFC 3339 in UTC without fractional seconds, as protobuf's Timestamp JSON prints whole seconds. */
function rfc3339(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
