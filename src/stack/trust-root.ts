import { createHash, X509Certificate, type KeyObject } from 'node:crypto';
import {
  SIGNING_CONFIG_MEDIA_TYPE,
  TRUSTED_ROOT_MEDIA_TYPE,
  type CertificateAuthority,
  type PublicKeyDetails,
  type ServiceUrl,
  type SigningConfig,
  type TransparencyLogInstance,
  type TrustedRoot,
} from '../bundle/index.js';

/** A log (Rekor or CT) as trusted_root.json lists it. */
export interface LogTrust {
  baseUrl: string;
  publicKey: KeyObject;
  /** The key's first day of use: `publicKey.validFor.start`. */
  validFrom: Date;
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
    timestampAuthorities: [],
  };
}

/**
 * SigningConfig v0.2: one CA, one OIDC provider, one Rekor v1 log, selector ANY. No `tsaConfig` without a TSA:
 * sigstore-js fails to build a signer when a TSA selector is given and no TSA URL matches.
 */
export function buildSigningConfig(t: TrustInputs): SigningConfig {
  const service = (url: string, validFrom: Date): ServiceUrl => ({
    url,
    majorApiVersion: 1,
    validFor: { start: rfc3339(validFrom) },
  });
  return {
    mediaType: SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: t.certificateAuthorities.map((ca) => service(ca.uri, ca.validFrom)),
    oidcUrls: t.oidcUrls.map((o) => service(o.url, o.validFrom)),
    rekorTlogUrls: t.tlogs.map((l) => service(l.baseUrl, l.validFrom)),
    tsaUrls: [],
    rekorTlogConfig: { selector: 'ANY' },
  };
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
    logId: { keyId: createHash('sha256').update(spki).digest('base64') },
  };
}

function certificateAuthority(ca: CaTrust): CertificateAuthority {
  const root = new X509Certificate(ca.certChainDer[ca.certChainDer.length - 1]!);
  const subject = Object.fromEntries(
    root.subject.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const out: CertificateAuthority = {
    uri: ca.uri,
    certChain: { certificates: ca.certChainDer.map((d) => ({ rawBytes: d.toString('base64') })) },
    validFor: { start: rfc3339(ca.validFrom) },
  };
  if (subject.O || subject.CN) out.subject = { organization: subject.O ?? '', commonName: subject.CN ?? '' };
  return out;
}

/** The PublicKeyDetails enum name for a log key. */
export function keyDetails(key: KeyObject): PublicKeyDetails {
  const d = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (d?.namedCurve === 'prime256v1') return 'PKIX_ECDSA_P256_SHA_256';
      if (d?.namedCurve === 'secp384r1') return 'PKIX_ECDSA_P384_SHA_384';
      if (d?.namedCurve === 'secp521r1') return 'PKIX_ECDSA_P521_SHA_512';
      break;
    case 'ed25519':
      return 'PKIX_ED25519';
    case 'rsa': {
      const bits = d?.modulusLength ?? 0;
      if (bits === 2048 || bits === 3072 || bits === 4096) return `PKIX_RSA_PKCS1V15_${bits}_SHA256`;
      break;
    }
  }
  throw new Error(`no trusted_root key type for this ${key.asymmetricKeyType} key`);
}

/** RFC 3339 in UTC without fractional seconds, as protobuf's Timestamp JSON prints whole seconds. */
function rfc3339(d: Date): string {
  return new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
