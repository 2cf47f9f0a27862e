import type { KeyObject } from 'node:crypto';
import { bundleVersion } from '../bundle/index.js';
import { preAuthEncoding } from '../bundle/index.js';
import { IN_TOTO_PAYLOAD_TYPE, type Bundle } from '../bundle/index.js';
import { SignetError, verificationFailed } from '../errors.js';
import { isSelfIssued, parseCertificate, type Certificate } from './certificate.js';
import { verifyCertificateChain } from './chain.js';
import { verifyEntryBody, type LoggedContent } from './entry-body.js';
import { checkIdentity, signerIdentity, type IdentityPolicy, type SignerIdentity } from './identity.js';
import { verifyEmbeddedScts } from './sct.js';
import {
  artifactDigest,
  checkSubject,
  inTotoStatement,
  learnSignatureHash,
  verifyDsseSignature,
  verifyMessageSignature,
  type Artifact,
  type InTotoStatement,
  type SignerKey,
} from './signature.js';
import { verifyRfc3161Timestamp } from './timestamp.js';
import { verifyTransparencyLogEntry } from './tlog.js';
import type { TrustMaterial } from './trust-material.js';

export interface VerifyOptions {
  /** The artifact; absent only to check a DSSE envelope alone (verify-blob-attestation with no file). */
  artifact?: Artifact;
  /** A trusted public key (`--key`): the bundle's signer must be this key. */
  key?: KeyObject;
  /** Required for certificate-signed bundles unless `allowAnyIdentity`. */
  policy?: IdentityPolicy;
  allowAnyIdentity?: boolean;
  ignoreTlog?: boolean;
  ignoreSct?: boolean;
  now?: Date;
}

export interface VerificationResult {
  /** Times a log (SET) or TSA vouched for; the signing certificate was valid at each. */
  verifiedTimes: { source: 'tlog' | 'tsa'; time: Date }[];
  identity?: SignerIdentity;
  statement?: InTotoStatement;
}

/**
 * Verifies a Sigstore bundle (client spec §4), pure and synchronous: shape, signer, timestamps, certificate
 * chain and SCTs, transparency log entries and their bodies, the signature over the artifact, then the identity
 * policy. Every failure is a SignetError('verification-failed') saying which check failed.
 */
export function verifyBundle(bundle: Bundle, trust: TrustMaterial, options: VerifyOptions): VerificationResult {
  const now = options.now ?? new Date();
  const signer = bundleSigner(bundle, options);
  const content = signedContent(bundle);
  const signedTimes = verifyTimestamps(bundle, content, trust, now);
  const verifiedTimes = [
    ...signedTimes,
    ...(options.ignoreTlog
      ? []
      : verifyTlogEntries(bundle, { ...content, signer: signer.logged }, trust, options, now, signedTimes)),
  ];
  const result: VerificationResult = { verifiedTimes };
  if (signer.certificate) result.identity = verifyCertificate(signer.certificate, verifiedTimes, trust, options, now);
  const statement = verifySignature(bundle, signer.key, content, options.artifact);
  if (statement) result.statement = statement;
  if (result.identity && !options.allowAnyIdentity) {
    if (!options.policy?.identity || !options.policy.issuer) {
      throw verificationFailed('a certificate identity and OIDC issuer are required to verify a keyless signature');
    }
    checkIdentity(result.identity, options.policy);
  }
  return result;
}

type VerifiedTime = VerificationResult['verifiedTimes'][number];

/** Every RFC 3161 timestamp must verify (over the signature, by a trusted TSA) and not be in the future. */
function verifyTimestamps(bundle: Bundle, content: SignedContent, trust: TrustMaterial, now: Date): VerifiedTime[] {
  return (bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? []).map((ts) => {
    const der = Buffer.from(ts.signedTimestamp, 'base64');
    const time = verifyRfc3161Timestamp(der, content.signature, trust.timestampAuthorities);
    if (time.getTime() > now.getTime()) throw verificationFailed('the signed timestamp is in the future');
    return { source: 'tsa' as const, time };
  });
}

/** Every entry must verify against a trusted log and record exactly this bundle; SETs give verified times. */
function verifyTlogEntries(
  bundle: Bundle,
  logged: LoggedContent,
  trust: TrustMaterial,
  options: VerifyOptions,
  now: Date,
  signedTimes: VerifiedTime[],
): VerifiedTime[] {
  const version = bundleVersion(bundle);
  const entries = bundle.verificationMaterial.tlogEntries;
  if (entries.length === 0) throw verificationFailed('the bundle has no transparency log entry');
  const artifact = options.artifact;
  if (artifact) logged.artifactDigest = (alg) => artifactDigest(artifact, alg);
  const times: VerifiedTime[] = [];
  for (const entry of entries) {
    const tlog = verifyTransparencyLogEntry(entry, trust.tlogs, {
      requireSet: version === '0.1',
      requireInclusionProof: version !== '0.1',
      now,
      signedTimes: signedTimes.map((t) => t.time),
    });
    verifyEntryBody(entry, tlog.body, logged);
    if (tlog.integratedTime) times.push({ source: 'tlog', time: tlog.integratedTime });
  }
  return times;
}

/** Chain to a trusted CA at every verified time (now, only without a log), then the SCTs; returns the identity. */
function verifyCertificate(
  leaf: Certificate,
  verifiedTimes: VerifiedTime[],
  trust: TrustMaterial,
  options: VerifyOptions,
  now: Date,
): SignerIdentity {
  const times = verifiedTimes.map((t) => t.time);
  if (times.length === 0) {
    if (!options.ignoreTlog) {
      throw verificationFailed('no verified timestamp: the bundle has neither a SET nor a signed timestamp');
    }
    times.push(now);
  }
  const path = verifyCertificateChain(leaf, trust.certificateAuthorities, times);
  if (!options.ignoreSct && verifyEmbeddedScts(leaf, path[0]!, trust.ctlogs) < 1) {
    throw verificationFailed('the signing certificate has no valid SCT from a trusted CT log');
  }
  return signerIdentity(leaf);
}

/** The signature over the artifact (or its digest), or over the DSSE PAE with the artifact as a subject. */
function verifySignature(
  bundle: Bundle,
  key: SignerKey,
  content: SignedContent,
  artifact: Artifact | undefined,
): InTotoStatement | undefined {
  if (content.dsse) {
    verifyDsseSignature(key, content.signature, content.dsse.pae);
    if (!artifact && content.dsse.envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) return undefined;
    const statement = inTotoStatement(content.dsse.envelope, content.dsse.payload);
    if (artifact) checkSubject(statement, artifact);
    return statement;
  }
  if (!artifact) throw verificationFailed('a message signature needs the artifact to verify');
  checkMessageDigest(bundle, artifact);
  verifyMessageSignature(key, content.signature, artifact);
  return undefined;
}

const PROTO_HASHES: Record<string, string> = { SHA2_256: 'sha256', SHA2_384: 'sha384', SHA2_512: 'sha512' };

/** The bundle's messageDigest is only a hint, but a hint that names another artifact is a mismatch. */
function checkMessageDigest(bundle: Bundle, artifact: Artifact): void {
  const md = bundle.messageSignature?.messageDigest;
  const alg = md && PROTO_HASHES[md.algorithm];
  const want = alg && artifactDigest(artifact, alg);
  if (want && !want.equals(Buffer.from(md.digest, 'base64'))) {
    throw verificationFailed("the bundle's message digest is not the artifact digest");
  }
}

interface Signer {
  key: SignerKey;
  certificate?: Certificate;
  logged: LoggedContent['signer'];
}

function bundleSigner(bundle: Bundle, options: VerifyOptions): Signer {
  const m = bundle.verificationMaterial;
  const certs = m.certificate ? [m.certificate] : (m.x509CertificateChain?.certificates ?? []);
  if (certs.length === 0) {
    if (!options.key)
      throw new SignetError('verification-failed', 'the bundle is signed with a key: no public key was given', {
        detail: { option: 'key' },
      });
    const spki = options.key.export({ format: 'der', type: 'spki' });
    return { key: options.key, logged: { spki } };
  }
  const chain = certs.map((c, i) => parseCertificate(Buffer.from(c.rawBytes, 'base64'), `bundle certificate ${i}`));
  if (chain.some(isSelfIssued)) throw verificationFailed("the bundle's certificate chain includes a root certificate");
  const leaf = chain[0]!;
  if (options.key) {
    // The given key is the trust: the certificate only has to be for it (no chain, SCT or identity checks).
    if (!options.key.equals(leaf.publicKey))
      throw verificationFailed("the bundle's certificate is not for the given key");
    return { key: options.key, logged: { certificate: leaf.der } };
  }
  if (leaf.ecKey) return { key: leaf.ecKey, certificate: leaf, logged: { certificate: leaf.der } };
  learnSignatureHash(leaf.publicKey, leaf.spki);
  return { key: leaf.publicKey, certificate: leaf, logged: { certificate: leaf.der } };
}

interface SignedContent {
  signature: Buffer;
  dsse?: LoggedContent['dsse'];
}

function signedContent(bundle: Bundle): SignedContent {
  if (bundle.messageSignature) return { signature: Buffer.from(bundle.messageSignature.signature, 'base64') };
  const envelope = bundle.dsseEnvelope!;
  const payload = Buffer.from(envelope.payload, 'base64');
  return {
    signature: Buffer.from(envelope.signatures[0]!.sig, 'base64'),
    dsse: { envelope, payload, pae: preAuthEncoding(envelope.payloadType, payload) },
  };
}
