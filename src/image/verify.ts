import type { KeyObject } from 'node:crypto';
import {
  isLegacyCosignBundle,
  legacyToBundle,
  parseBundle,
  parseLegacyCosignBundle,
  type Bundle,
  type DsseEnvelope,
} from '../bundle/index.js';
import { SignetError, verificationFailed } from '../errors.js';
import {
  BUNDLE_ANNOTATION,
  CERTIFICATE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  parseSimpleSigningPayload,
  readAttachments,
  readBundleReferrers,
  type AttachedLayer,
  type ImageSession,
} from '../oci/index.js';
import {
  verifyBundle,
  type IdentityPolicy,
  type SignerIdentity,
  type TrustMaterial,
  type VerificationResult,
} from '../verify/index.js';
import { COSIGN_SIGN_PREDICATE } from './predicates.js';
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

/** Verifies an image's signatures in both layouts (bundle referrers, then the `.sig` tag); at least one must pass. */
export async function verifyImageSignatures(session: ImageSession, target: ImageTarget, options: VerifyImageOptions) {
  const verified: VerifiedItem[] = [];
  const reasons: string[] = [];
  let found = 0;
  const attempt = (fn: () => VerifiedItem) => {
    found++;
    try {
      verified.push(fn());
    } catch (e) {
      if (!(e instanceof SignetError)) throw e;
      reasons.push(e.message);
    }
  };
  for (const parsed of await referrerBundles(session, target)) {
    if (parsed instanceof SignetError) {
      attempt(() => {
        throw parsed;
      });
      continue;
    }
    if (predicateTypeOf(parsed) !== COSIGN_SIGN_PREDICATE) continue;
    attempt(() => verifyStatementBundle(parsed, target, options));
  }
  const layers = await readAttachments(session.client, target.ref.repository, target.descriptor.digest, 'sig');
  for (const layer of layers) attempt(() => verifyLegacySignature(layer, target, options));
  if (verified.length === 0) throw new NoMatchingSignaturesError(found, 'signatures', reasons);
  return verified;
}

/** Verifies an image's attestations (`.att` layers and attestation bundle referrers), filtered by predicate type. */
export async function verifyImageAttestations(
  session: ImageSession,
  target: ImageTarget,
  options: VerifyImageOptions & { predicateType?: string },
) {
  const verified: VerifiedItem[] = [];
  const reasons: string[] = [];
  const mismatched: string[] = [];
  let found = 0;
  const consider = (fn: () => VerifiedItem) => {
    try {
      const item = fn();
      found++;
      if (!options.predicateType || item.predicateType === options.predicateType) verified.push(item);
      else {
        mismatched.push(item.predicateType ?? '(none)');
        reasons.push(`predicate type ${item.predicateType} is not ${options.predicateType}`);
      }
    } catch (e) {
      if (!(e instanceof SignetError)) throw e;
      found++;
      reasons.push(e.message);
    }
  };
  for (const parsed of await referrerBundles(session, target)) {
    if (parsed instanceof SignetError) {
      consider(() => {
        throw parsed;
      });
      continue;
    }
    if (predicateTypeOf(parsed) === COSIGN_SIGN_PREDICATE) continue;
    consider(() => verifyStatementBundle(parsed, target, options));
  }
  const layers = await readAttachments(session.client, target.ref.repository, target.descriptor.digest, 'att');
  for (const layer of layers) consider(() => verifyLegacyAttestation(layer, target, options));
  if (verified.length === 0 && options.predicateType && mismatched.length && mismatched.length === found) {
    throw new NoMatchingSignaturesError(found, 'attestations', [
      `none of the attestations matched the predicate type: ${options.predicateType}, found: ${[...new Set(mismatched)].join(',')}`,
    ]);
  }
  if (verified.length === 0) throw new NoMatchingSignaturesError(found, 'attestations', reasons);
  return verified;
}

/** The bundles attached as referrers, parsed; one that does not parse is kept as its error (it counts as found). */
async function referrerBundles(session: ImageSession, target: ImageTarget): Promise<(Bundle | SignetError)[]> {
  const found = await readBundleReferrers(session.client, target.ref.repository, target.descriptor.digest);
  return found.map(({ bundle }) => {
    try {
      return parseBundle(JSON.parse(bundle.toString('utf8')));
    } catch (e) {
      return e instanceof SignetError ? e : verificationFailed('a referrer bundle is not valid JSON');
    }
  });
}

function verifyStatementBundle(bundle: Bundle, target: ImageTarget, options: VerifyImageOptions): VerifiedItem {
  if (!bundle.dsseEnvelope) throw verificationFailed('the referrer bundle holds no DSSE envelope');
  const artifact = options.checkClaims === false ? undefined : imageArtifact(target);
  const result = verifyBundle(bundle, options.trust, verifyOptions(options, artifact));
  if (!result.statement) throw verificationFailed('the referrer bundle holds no in-toto statement');
  const statement = result.statement;
  if (options.checkClaims !== false) checkSubjectAnnotations(statement, options.annotations);
  return {
    layout: 'bundle',
    payload: statement,
    envelope: bundle.dsseEnvelope,
    predicateType: statement.predicateType,
    tlogVerified: !options.ignoreTlog,
    ...identityOf(result),
  };
}

function verifyLegacySignature(layer: AttachedLayer, target: ImageTarget, options: VerifyImageOptions): VerifiedItem {
  const bundle = legacyLayerBundle(layer);
  const result = verifyBundle(bundle, options.trust, verifyOptions(options, { bytes: layer.payload }));
  const payload = parseSimpleSigningPayload(layer.payload);
  if (options.checkClaims !== false) {
    if (payload.critical.image['docker-manifest-digest'] !== target.descriptor.digest) {
      throw verificationFailed(
        `the signed payload is for ${payload.critical.image['docker-manifest-digest']}, not ${target.descriptor.digest}`,
      );
    }
    for (const [k, v] of Object.entries(options.annotations ?? {})) {
      if (payload.optional?.[k] !== v) throw verificationFailed(`annotation ${k}=${v} is not in the signed payload`);
    }
  }
  const item: VerifiedItem = { layout: 'legacy', payload, tlogVerified: !options.ignoreTlog, ...identityOf(result) };
  if (layer.annotations[BUNDLE_ANNOTATION]) item.rekorBundle = JSON.parse(layer.annotations[BUNDLE_ANNOTATION]);
  return item;
}

function verifyLegacyAttestation(layer: AttachedLayer, target: ImageTarget, options: VerifyImageOptions): VerifiedItem {
  let envelope: DsseEnvelope;
  try {
    envelope = JSON.parse(layer.payload.toString('utf8')) as DsseEnvelope;
  } catch {
    throw verificationFailed('an attestation layer is not a DSSE envelope');
  }
  // The signature annotation of an attestation layer is empty: the signature is inside the envelope.
  const signature = envelope?.signatures?.[0]?.sig;
  if (typeof signature !== 'string' || typeof envelope.payload !== 'string') {
    throw verificationFailed('an attestation layer is not a signed DSSE envelope');
  }
  const bundle: Bundle = { ...legacyLayerBundle(layer, signature), dsseEnvelope: envelope };
  delete bundle.messageSignature;
  const artifact = options.checkClaims === false ? undefined : imageArtifact(target);
  const result = verifyBundle(bundle, options.trust, verifyOptions(options, artifact));
  if (!result.statement) throw verificationFailed('the attestation is not an in-toto statement');
  const statement = result.statement;
  return {
    layout: 'legacy',
    payload: statement,
    envelope,
    rawEnvelope: layer.payload,
    predicateType: statement.predicateType,
    tlogVerified: !options.ignoreTlog,
    ...identityOf(result),
  };
}

/** A legacy layer's annotations are cosign's old bundle in another dress: convert, then verify as a v0.1 bundle. */
function legacyLayerBundle(layer: AttachedLayer, signature?: string): Bundle {
  const a = layer.annotations;
  const legacy: Record<string, unknown> = { base64Signature: signature ?? a[SIGNATURE_ANNOTATION] ?? '' };
  if (a[CERTIFICATE_ANNOTATION]) legacy.cert = a[CERTIFICATE_ANNOTATION];
  if (a[BUNDLE_ANNOTATION]) {
    try {
      legacy.rekorBundle = JSON.parse(a[BUNDLE_ANNOTATION]);
    } catch {
      throw verificationFailed('the bundle annotation is not JSON');
    }
  }
  if (!isLegacyCosignBundle(legacy)) throw verificationFailed('the signature layer has no signature annotation');
  return legacyToBundle(parseLegacyCosignBundle(legacy)).bundle;
}

function verifyOptions(options: VerifyImageOptions, artifact: Parameters<typeof verifyBundle>[2]['artifact']) {
  return {
    ...(artifact ? { artifact } : {}),
    ...(options.key ? { key: options.key } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
    ignoreTlog: !!options.ignoreTlog,
    ignoreSct: !!options.ignoreSct,
  };
}

function imageArtifact(target: ImageTarget) {
  return { digest: Buffer.from(digestHex(target.descriptor.digest), 'hex'), algorithm: 'sha256' as const };
}

function checkSubjectAnnotations(statement: { subject?: unknown }, annotations?: Record<string, string>) {
  if (!annotations || !Object.keys(annotations).length) return;
  const subjects = (Array.isArray(statement.subject) ? statement.subject : []) as {
    annotations?: Record<string, unknown>;
  }[];
  for (const [k, v] of Object.entries(annotations)) {
    if (!subjects.some((s) => s.annotations?.[k] === v)) {
      throw verificationFailed(`annotation ${k}=${v} is not in the signed statement`);
    }
  }
}

function identityOf(result: VerificationResult): { identity?: SignerIdentity } {
  return result.identity ? { identity: result.identity } : {};
}

function predicateTypeOf(bundle: Bundle): string | undefined {
  if (!bundle.dsseEnvelope) return undefined;
  try {
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as {
      predicateType?: string;
    };
    return statement.predicateType;
  } catch {
    return undefined;
  }
}
