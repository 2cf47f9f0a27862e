import { DSSE_ENVELOPE, PREDICATE_TYPE_ANNOTATION, appendAttachment, repositoryName } from '../oci/index.js';
import type { ImageSession } from '../oci/index.js';
import type { DsseEnvelope } from '../bundle/index.js';
import { attestStatement } from '../sign/index.js';
import { IN_TOTO_V01 } from './predicates.js';
import { pushDsseBundle, signatureAnnotations, type SignImageOptions } from './sign.js';
import { digestHex, type ImageTarget } from './targets.js';

export interface AttestImageOptions extends SignImageOptions {
  predicateType: string;
  predicate: unknown;
  /** Legacy layout: drop earlier attestations of the same predicate type (cosign's --replace). */
  replace?: boolean;
}

/**
 * Attests an image: an in-toto statement whose subject is the image digest, in a DSSE envelope, logged as a dsse
 * entry, stored as a `.att` layer (legacy) or a bundle referrer (new format).
 */
export async function attestImage(session: ImageSession, target: ImageTarget, options: AttestImageOptions) {
  const statement = {
    _type: IN_TOTO_V01,
    subject: [{ name: repositoryName(target.ref), digest: { sha256: digestHex(target.descriptor.digest) } }],
    predicateType: options.predicateType,
    predicate: options.predicate,
  };
  const signed = await attestStatement(Buffer.from(JSON.stringify(statement)), options.signer, options);
  if (options.newBundleFormat) return pushDsseBundle(session, target, signed.bundle, options.predicateType);
  const annotations = {
    ...signatureAnnotations('', options.signer, signed.tlogEntry),
    [PREDICATE_TYPE_ANNOTATION]: options.predicateType,
  };
  return appendAttestation(session, target, signed.envelope, annotations, {
    dockerMediaTypes: options.dockerMediaTypes,
    replace: options.replace ? (l) => l.annotations?.[PREDICATE_TYPE_ANNOTATION] === options.predicateType : undefined,
  });
}

/** Appends a DSSE envelope and its layer annotations to the image's `.att` manifest (legacy layout). */
export function appendAttestation(
  session: ImageSession,
  target: ImageTarget,
  envelope: DsseEnvelope,
  annotations: Record<string, string>,
  options: Parameters<typeof appendAttachment>[5] = {},
) {
  const payload = Buffer.from(JSON.stringify(envelope));
  return appendAttachment(
    session.client,
    target.ref.repository,
    target.descriptor.digest,
    'att',
    { mediaType: DSSE_ENVELOPE, payload, annotations },
    options,
  );
}
