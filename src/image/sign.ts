import { serializeBundle, type Bundle } from '../bundle/index.js';
import {
  BUNDLE_ANNOTATION,
  BUNDLE_PREDICATE_TYPE_ANNOTATION,
  CERTIFICATE_ANNOTATION,
  CHAIN_ANNOTATION,
  COSIGN_SIMPLE_SIGNING,
  SIGNATURE_ANNOTATION,
  appendAttachment,
  pushBundleReferrer,
  repositoryName,
  simpleSigningPayload,
  type ImageSession,
} from '../oci/index.js';
import { attestStatement, legacyBlobBundle, signBlob, type Signer, type TlogOptions } from '../sign/index.js';
import { COSIGN_SIGN_PREDICATE, IN_TOTO_V1 } from './predicates.js';
import { digestHex, type ImageTarget } from './targets.js';

export interface SignImageOptions extends TlogOptions {
  signer: Signer;
  /** `-a key=value`: signed claims (simple-signing `optional`, or the statement subject's annotations). */
  annotations?: Record<string, string>;
  /** cosign v3's default: a Sigstore bundle as an OCI 1.1 referrer; else the legacy `.sig` tag layout. */
  newBundleFormat?: boolean;
  dockerMediaTypes?: boolean;
}

/**
 * Signs one image manifest and stores the signature next to it in the registry, in cosign's layout. Returns the
 * pushed layer or referrer manifest, the bundle (for `--bundle`) and the log entry.
 */
export async function signImage(session: ImageSession, target: ImageTarget, options: SignImageOptions) {
  if (options.newBundleFormat) {
    const subject: Record<string, unknown> = { digest: { sha256: digestHex(target.descriptor.digest) } };
    if (options.annotations && Object.keys(options.annotations).length) subject.annotations = options.annotations;
    const statement = { _type: IN_TOTO_V1, subject: [subject], predicateType: COSIGN_SIGN_PREDICATE, predicate: {} };
    const signed = await attestStatement(Buffer.from(JSON.stringify(statement)), options.signer, options);
    const pushed = await pushDsseBundle(session, target, signed.bundle, COSIGN_SIGN_PREDICATE);
    return { pushed, bundle: signed.bundle, tlogEntry: signed.tlogEntry };
  }
  const payload = simpleSigningPayload(repositoryName(target.ref), target.descriptor.digest, options.annotations);
  const signed = await signBlob(payload, options.signer, options);
  const annotations = signatureAnnotations(signed.signature, options.signer, signed.tlogEntry);
  const pushed = await appendSignature(session, target, payload, annotations, options.dockerMediaTypes);
  return { pushed, bundle: signed.bundle, tlogEntry: signed.tlogEntry };
}

/**
 * A Sigstore bundle holding a DSSE in-toto statement of `predicateType`, pushed as an OCI 1.1 referrer of the image
 * (the new bundle format of sign, attest and attach).
 */
export function pushDsseBundle(session: ImageSession, target: ImageTarget, bundle: Bundle, predicateType: string) {
  return pushBundleReferrer(
    session.client,
    target.ref.repository,
    target.descriptor,
    Buffer.from(serializeBundle(bundle)),
    { 'dev.sigstore.bundle.content': 'dsse-envelope', [BUNDLE_PREDICATE_TYPE_ANNOTATION]: predicateType },
  );
}

/** Appends a simple-signing payload and its layer annotations to the image's `.sig` manifest (legacy layout). */
export function appendSignature(
  session: ImageSession,
  target: ImageTarget,
  payload: Buffer,
  annotations: Record<string, string>,
  dockerMediaTypes?: boolean,
) {
  return appendAttachment(
    session.client,
    target.ref.repository,
    target.descriptor.digest,
    'sig',
    { mediaType: COSIGN_SIMPLE_SIGNING, payload, annotations },
    { dockerMediaTypes },
  );
}

/** cosign's layer annotations: signature, certificate and chain (keyless), and the Rekor bundle (SET). */
export function signatureAnnotations(
  signature: Buffer | string,
  signer: Signer,
  tlogEntry: Parameters<typeof legacyBlobBundle>[2],
): Record<string, string> {
  const annotations: Record<string, string> = {
    [SIGNATURE_ANNOTATION]: typeof signature === 'string' ? signature : signature.toString('base64'),
  };
  const chain = signer.certificateChainPem;
  if (chain?.length) {
    annotations[CERTIFICATE_ANNOTATION] = chain[0]!;
    annotations[CHAIN_ANNOTATION] = chain.slice(1).join('');
  }
  const rekor = legacyBlobBundle(Buffer.alloc(0), '', tlogEntry).rekorBundle;
  if (rekor) annotations[BUNDLE_ANNOTATION] = JSON.stringify(rekor);
  return annotations;
}
