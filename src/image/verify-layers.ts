import {
  isLegacyCosignBundle,
  legacyToBundle,
  parseLegacyCosignBundle,
  type Bundle,
  type DsseEnvelope,
  type TransparencyLogEntry,
} from '../bundle/index.js';
import { verificationFailed } from '../errors.js';
import {
  BUNDLE_ANNOTATION,
  CERTIFICATE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  parseSimpleSigningPayload,
  type AttachedLayer,
} from '../oci/index.js';
import { verifyBundle } from '../verify/index.js';
import type { ImageTarget } from './targets.js';
import { identityOf, imageArtifact, verifyOptions, type VerifiedItem, type VerifyImageOptions } from './verify-item.js';

export function verifyStatementBundle(bundle: Bundle, target: ImageTarget, options: VerifyImageOptions): VerifiedItem {
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

export function verifyLegacySignature(
  layer: AttachedLayer,
  target: ImageTarget,
  options: VerifyImageOptions,
  foundEntry?: TransparencyLogEntry,
): VerifiedItem {
  const bundle = legacyLayerBundle(layer);
  if (foundEntry) bundle.verificationMaterial.tlogEntries.push(foundEntry);
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
  if (foundEntry) item.tlogOnline = true;
  if (layer.annotations[BUNDLE_ANNOTATION]) item.rekorBundle = JSON.parse(layer.annotations[BUNDLE_ANNOTATION]);
  return item;
}

export function verifyLegacyAttestation(
  layer: AttachedLayer,
  target: ImageTarget,
  options: VerifyImageOptions,
): VerifiedItem {
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
