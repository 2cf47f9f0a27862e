import { parseBundle, type Bundle, type DsseEnvelope } from '../bundle/index.js';
import { invalidInput } from '../errors.js';
import {
  BUNDLE_ANNOTATION,
  CERTIFICATE_ANNOTATION,
  CHAIN_ANNOTATION,
  PREDICATE_TYPE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  repositoryName,
  simpleSigningPayload,
  type ImageSession,
} from '../oci/index.js';
import { appendAttestation } from './attest.js';
import { appendSignature, pushDsseBundle } from './sign.js';
import type { ImageTarget } from './targets.js';

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/** A signature made elsewhere (over `signet generate`'s payload), as `cosign attach signature` takes it. */
export interface DetachedImageSignature {
  /** The base64 signature. */
  signature: string;
  /** The signed payload; cosign's simple-signing payload for the digest when absent. */
  payload?: Buffer;
  certificatePem?: string;
  chainPem?: string;
  /** The Rekor bundle (`rekorBundle` of cosign's old blob bundle), stapled as the bundle annotation. */
  rekorBundle?: unknown;
  dockerMediaTypes?: boolean;
}

/** Appends a detached signature to the image's `.sig` manifest with cosign's layer annotations. */
export async function attachSignature(session: ImageSession, target: ImageTarget, sig: DetachedImageSignature) {
  const payload = sig.payload ?? simpleSigningPayload(repositoryName(target.ref), target.descriptor.digest);
  const annotations: Record<string, string> = { [SIGNATURE_ANNOTATION]: sig.signature };
  if (sig.certificatePem) annotations[CERTIFICATE_ANNOTATION] = sig.certificatePem;
  if (sig.chainPem) annotations[CHAIN_ANNOTATION] = sig.chainPem;
  if (sig.rekorBundle) annotations[BUNDLE_ANNOTATION] = JSON.stringify(sig.rekorBundle);
  return appendSignature(session, target, payload, annotations, sig.dockerMediaTypes);
}

/**
 * A Sigstore bundle holding a DSSE in-toto statement, pushed as an OCI 1.1 referrer of the image as signing in the
 * new bundle format does (cosign attaches bundles given to `attach signature --payload` or `attach attestation`
 * this way). Returns the statement's predicate type.
 */
export async function attachBundle(session: ImageSession, target: ImageTarget, json: unknown) {
  const bundle: Bundle = parseBundle(json);
  if (!bundle.dsseEnvelope) throw invalidInput('the bundle does not hold a DSSE envelope');
  const predicateType = statementOf(bundle.dsseEnvelope).predicateType;
  await pushDsseBundle(session, target, bundle, predicateType);
  return predicateType;
}

/** Appends a signed DSSE envelope (an in-toto attestation made elsewhere) to the image's `.att` manifest. */
export async function attachAttestation(
  session: ImageSession,
  target: ImageTarget,
  envelope: DsseEnvelope,
  dockerMediaTypes?: boolean,
) {
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw invalidInput(`invalid payloadType ${envelope.payloadType} on envelope. Expected ${IN_TOTO_PAYLOAD_TYPE}`);
  }
  if (!envelope.signatures?.length) throw invalidInput('could not attach attestation without having signatures');
  const { predicateType } = statementOf(envelope);
  // As `attest` writes them: the signature is inside the envelope, so the signature annotation is empty.
  const annotations = { [SIGNATURE_ANNOTATION]: '', [PREDICATE_TYPE_ANNOTATION]: predicateType };
  return appendAttestation(session, target, envelope, annotations, { dockerMediaTypes });
}

function statementOf(envelope: DsseEnvelope): { predicateType: string } {
  let statement: { predicateType?: unknown };
  try {
    statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as typeof statement;
  } catch {
    throw invalidInput('unable to understand the envelope statement (not JSON)');
  }
  if (typeof statement?.predicateType !== 'string') {
    throw invalidInput('unable to understand the envelope statement (no predicateType)');
  }
  return { predicateType: statement.predicateType };
}
