import type { KeyObject } from 'node:crypto';
import type { DsseEnvelope, TransparencyLogEntry } from '../bundle/index.js';
import { SignetError } from '../errors.js';
import type { Artifact, IdentityPolicy, SignerIdentity, TrustMaterial, VerificationResult } from '../verify/index.js';
import { digestHex, type ImageTarget } from './targets.js';

export interface VerifyImageOptions {
  trust: TrustMaterial;
  key?: KeyObject;
  policy?: IdentityPolicy;
  /** `-a key=value`: claims the signed payload must carry. */
  annotations?: Record<string, string>;
  /** cosign's --check-claims (default true): the payload must name this image digest and the annotations. */
  checkClaims?: boolean;
  ignoreTlog?: boolean;
  ignoreSct?: boolean;
  /**
   * cosign's online look-up (`--rekor-url`) for a `.sig` layer that carries no Rekor bundle annotation (signed with
   * `--tlog-upload=false` then uploaded, or by a tool that does not staple it): the log entry for this signature
   * over the payload's SHA-256. The entry is then verified like a stapled one, nothing is trusted from the search.
   */
  findTlogEntry?: (payloadSha256: Buffer, signature: Buffer) => Promise<TransparencyLogEntry>;
  /**
   * cosign's --new-bundle-format on verify: `true` verifies the bundle referrers when the image has any, else the
   * legacy tags (cosign v3's rule); `false` the legacy tags only. Unset, both layouts are read and at least one
   * signature must verify.
   */
  newBundleFormat?: boolean;
}

/** A signature or attestation that verified, with what it says. */
export interface VerifiedItem {
  layout: 'legacy' | 'bundle';
  /** The simple-signing payload, or the in-toto statement. */
  payload: unknown;
  identity?: SignerIdentity;
  /** For attestations: the DSSE envelope. */
  envelope?: DsseEnvelope;
  /** Legacy attestations: the envelope bytes as stored in the layer (cosign prints them as they are). */
  rawEnvelope?: Buffer;
  predicateType?: string;
  tlogVerified: boolean;
  /** The log entry was looked up online (`--rekor-url`), not stapled: cosign's header says so in other words. */
  tlogOnline?: boolean;
  /** Legacy layers: the Rekor bundle annotation (cosign prints it as `optional.Bundle`). */
  rekorBundle?: unknown;
}

/** Why nothing verified: cosign's exit codes 10 (none found) and 12 (none matched). */
export class NoMatchingSignaturesError extends SignetError {
  constructor(
    readonly found: number,
    what: string,
    reasons: string[],
  ) {
    super(
      'verification-failed',
      found === 0 ? `no ${what} found` : `no matching ${what}: ${[...new Set(reasons)].join('; ')}`,
    );
  }
}

export function verifyOptions(options: VerifyImageOptions, artifact: Artifact | undefined) {
  return {
    ...(artifact ? { artifact } : {}),
    ...(options.key ? { key: options.key } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    ignoreTlog: !!options.ignoreTlog,
    ignoreSct: !!options.ignoreSct,
  };
}

export function imageArtifact(target: ImageTarget) {
  return { digest: Buffer.from(digestHex(target.descriptor.digest), 'hex'), algorithm: 'sha256' as const };
}

export function identityOf(result: VerificationResult): { identity?: SignerIdentity } {
  return result.identity ? { identity: result.identity } : {};
}
