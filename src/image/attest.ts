import {
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  DSSE_ENVELOPE,
  PREDICATE_TYPE_ANNOTATION,
  appendAttachment,
  pushBundleReferrer,
  repositoryName,
} from '../oci/index.js';
import type { ImageSession } from '../oci/index.js';
import { serializeBundle } from '../bundle/index.js';
import { attestStatement } from '../sign/index.js';
import { IN_TOTO_V01 } from './predicates.js';
import { signatureAnnotations, type SignImageOptions } from './sign.js';
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
  const repo = target.ref.repository;
  const statement = {
    _type: IN_TOTO_V01,
    subject: [{ name: repositoryName(target.ref), digest: { sha256: digestHex(target.descriptor.digest) } }],
    predicateType: options.predicateType,
    predicate: options.predicate,
  };
  const signed = await attestStatement(Buffer.from(JSON.stringify(statement)), options.signer, options);
  if (options.newBundleFormat) {
    return pushBundleReferrer(session.client, repo, target.descriptor, Buffer.from(serializeBundle(signed.bundle)), {
      'dev.sigstore.bundle.content': 'dsse-envelope',
      [BUNDLE_PREDICATE_TYPE_ANNOTATION]: options.predicateType,
    });
  }
  const annotations = {
    ...signatureAnnotations('', options.signer, signed.tlogEntry),
    [PREDICATE_TYPE_ANNOTATION]: options.predicateType,
  };
  const payload = Buffer.from(JSON.stringify(signed.envelope));
  return appendAttachment(
    session.client,
    repo,
    target.descriptor.digest,
    'att',
    { mediaType: DSSE_ENVELOPE, payload, annotations },
    {
      dockerMediaTypes: options.dockerMediaTypes,
      replace: options.replace
        ? (l) => l.annotations?.[PREDICATE_TYPE_ANNOTATION] === options.predicateType
        : undefined,
    },
  );
}
