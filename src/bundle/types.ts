/**
 * The Sigstore wire shapes as protobuf-specs' canonical JSON (lowerCamelCase keys, bytes as standard base64 with
 * padding, int64 as decimal strings, enums by name). These are what bundles, trusted roots and signing configs
 * look like on disk and on the wire; parsing and validation live beside them in this folder.
 */
import type { PublicKeyDetails } from '../crypto/index.js';

export type Base64 = string;
/** A protobuf int64 in JSON: a decimal string. */
export type Int64String = string;
/** A google.protobuf.Timestamp in JSON: RFC 3339. */
export type Rfc3339 = string;

export const BUNDLE_V01_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.1';
export const BUNDLE_V02_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.2';
export const BUNDLE_V03_LEGACY_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle+json;version=0.3';
export const BUNDLE_V03_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';
export const SIGNING_CONFIG_MEDIA_TYPE = 'application/vnd.dev.sigstore.signingconfig.v0.2+json';
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export type HashAlgorithm = 'SHA2_256' | 'SHA2_384' | 'SHA2_512' | 'SHA3_256' | 'SHA3_384';

/** Defined by crypto, which names keys; bundles and trusted roots carry the name. */
export type { PublicKeyDetails };

export interface X509Certificate {
  rawBytes: Base64;
}

export interface TimeRange {
  start?: Rfc3339;
  end?: Rfc3339;
}

export interface LogId {
  keyId: Base64;
}

export interface KindVersion {
  kind: string;
  version: string;
}

export interface Checkpoint {
  /** The signed note text, as is (not base64). */
  envelope: string;
}

export interface InclusionProof {
  logIndex: Int64String;
  rootHash: Base64;
  treeSize: Int64String;
  /** Leaf to root order, excluding the leaf and the root. */
  hashes: Base64[];
  checkpoint?: Checkpoint;
}

export interface InclusionPromise {
  signedEntryTimestamp: Base64;
}

export interface TransparencyLogEntry {
  logIndex: Int64String;
  logId: LogId;
  kindVersion: KindVersion;
  /** Unix seconds; absent (0) on Rekor v2 entries. */
  integratedTime?: Int64String;
  inclusionPromise?: InclusionPromise;
  inclusionProof?: InclusionProof;
  /** Base64 of the log entry body exactly as the log stored it. */
  canonicalizedBody: Base64;
}

export interface Rfc3161SignedTimestamp {
  signedTimestamp: Base64;
}

export interface VerificationMaterial {
  certificate?: X509Certificate;
  x509CertificateChain?: { certificates: X509Certificate[] };
  publicKey?: { hint?: string };
  tlogEntries: TransparencyLogEntry[];
  timestampVerificationData?: { rfc3161Timestamps?: Rfc3161SignedTimestamp[] };
}

export interface MessageSignature {
  messageDigest?: { algorithm: HashAlgorithm; digest: Base64 };
  signature: Base64;
}

export interface DsseSignature {
  sig: Base64;
  keyid?: string;
}

export interface DsseEnvelope {
  payload: Base64;
  payloadType: string;
  signatures: DsseSignature[];
}

export interface Bundle {
  mediaType: string;
  verificationMaterial: VerificationMaterial;
  messageSignature?: MessageSignature;
  dsseEnvelope?: DsseEnvelope;
}

export interface PublicKey {
  rawBytes?: Base64;
  keyDetails?: PublicKeyDetails | string;
  validFor?: TimeRange;
}

export interface TransparencyLogInstance {
  baseUrl: string;
  hashAlgorithm: HashAlgorithm;
  publicKey: PublicKey;
  logId: LogId;
  checkpointKeyId?: LogId;
  operator?: string;
}

export interface CertificateAuthority {
  subject?: { organization?: string; commonName?: string };
  uri?: string;
  /** Leaf-most first; the last certificate is the trust anchor. */
  certChain: { certificates: X509Certificate[] };
  validFor?: TimeRange;
  operator?: string;
}

export interface TrustedRoot {
  mediaType: string;
  tlogs?: TransparencyLogInstance[];
  certificateAuthorities?: CertificateAuthority[];
  ctlogs?: TransparencyLogInstance[];
  timestampAuthorities?: CertificateAuthority[];
}

export interface ServiceUrl {
  url: string;
  majorApiVersion: number;
  validFor?: TimeRange;
  operator?: string;
}

export interface SigningConfig {
  mediaType: string;
  caUrls?: ServiceUrl[];
  oidcUrls?: ServiceUrl[];
  rekorTlogUrls?: ServiceUrl[];
  tsaUrls?: ServiceUrl[];
  rekorTlogConfig?: { selector: 'ALL' | 'ANY' | 'EXACT'; count?: number };
  tsaConfig?: { selector: 'ALL' | 'ANY' | 'EXACT'; count?: number };
}
