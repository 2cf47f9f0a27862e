import { createHash } from 'node:crypto';
import { parseBundle, type Bundle, type TransparencyLogEntry } from '../bundle/index.js';
import { SignetError, verificationFailed } from '../errors.js';
import {
  BUNDLE_ANNOTATION,
  SIGNATURE_ANNOTATION,
  readAttachments,
  readBundleReferrers,
  type AttachedLayer,
  type ManifestStore,
} from '../oci/index.js';
import { COSIGN_SIGN_PREDICATE } from './predicates.js';
import type { ImageTarget } from './targets.js';
import { NoMatchingSignaturesError, type VerifiedItem, type VerifyImageOptions } from './verify-item.js';
import { verifyLegacyAttestation, verifyLegacySignature, verifyStatementBundle } from './verify-layers.js';

export { NoMatchingSignaturesError, type VerifiedItem, type VerifyImageOptions } from './verify-item.js';

/** Where the image's attachments are read: a registry, or a layout saved on disk (`verify --local-image`). */
export interface ImageSource {
  client: ManifestStore;
}

/** Verifies an image's signatures in both layouts (bundle referrers, then the `.sig` tag); at least one must pass. */
export async function verifyImageSignatures(session: ImageSource, target: ImageTarget, options: VerifyImageOptions) {
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
  const bundles = await referrerBundles(session, target, options);
  for (const parsed of bundles) {
    if (parsed instanceof SignetError) {
      attempt(() => {
        throw parsed;
      });
      continue;
    }
    if (predicateTypeOf(parsed) !== COSIGN_SIGN_PREDICATE) continue;
    attempt(() => verifyStatementBundle(parsed, target, options));
  }
  const layers = skipLegacy(bundles, options)
    ? []
    : await readAttachments(session.client, target.ref.repository, target.descriptor.digest, 'sig');
  for (const layer of layers) {
    let entry: TransparencyLogEntry | undefined;
    try {
      entry = await onlineEntry(layer, options);
    } catch (e) {
      if (!(e instanceof SignetError)) throw e;
      attempt(() => {
        throw e;
      });
      continue;
    }
    attempt(() => verifyLegacySignature(layer, target, options, entry));
  }
  if (verified.length === 0) throw new NoMatchingSignaturesError(found, 'signatures', reasons);
  return verified;
}

/** Verifies an image's attestations (`.att` layers and attestation bundle referrers), filtered by predicate type. */
export async function verifyImageAttestations(
  session: ImageSource,
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
  const bundles = await referrerBundles(session, target, options);
  for (const parsed of bundles) {
    if (parsed instanceof SignetError) {
      consider(() => {
        throw parsed;
      });
      continue;
    }
    if (predicateTypeOf(parsed) === COSIGN_SIGN_PREDICATE) continue;
    consider(() => verifyStatementBundle(parsed, target, options));
  }
  const layers = skipLegacy(bundles, options)
    ? []
    : await readAttachments(session.client, target.ref.repository, target.descriptor.digest, 'att');
  for (const layer of layers) consider(() => verifyLegacyAttestation(layer, target, options));
  if (verified.length === 0 && options.predicateType && mismatched.length && mismatched.length === found) {
    throw new NoMatchingSignaturesError(found, 'attestations', [
      `none of the attestations matched the predicate type: ${options.predicateType}, found: ${[...new Set(mismatched)].join(',')}`,
    ]);
  }
  if (verified.length === 0) throw new NoMatchingSignaturesError(found, 'attestations', reasons);
  return verified;
}

/** cosign v3 (`--new-bundle-format`): an image that has bundle referrers is verified by them alone. */
function skipLegacy(bundles: unknown[], options: VerifyImageOptions): boolean {
  return options.newBundleFormat === true && bundles.length > 0;
}

/**
 * The bundles attached as referrers, parsed; one that does not parse is kept as its error (it counts as found).
 * None with `--new-bundle-format=false` (cosign's legacy layout only).
 */
async function referrerBundles(
  session: ImageSource,
  target: ImageTarget,
  options: VerifyImageOptions,
): Promise<(Bundle | SignetError)[]> {
  if (options.newBundleFormat === false) return [];
  const found = await readBundleReferrers(session.client, target.ref.repository, target.descriptor.digest);
  return found.map(({ bundle }) => {
    try {
      return parseBundle(JSON.parse(bundle.toString('utf8')));
    } catch (e) {
      return e instanceof SignetError ? e : verificationFailed('a referrer bundle is not valid JSON');
    }
  });
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

/** A `.sig` layer without a stapled Rekor bundle: its entry from the log, when the caller gave a way to look it up. */
async function onlineEntry(layer: AttachedLayer, options: VerifyImageOptions) {
  if (options.ignoreTlog || !options.findTlogEntry || layer.annotations[BUNDLE_ANNOTATION]) return undefined;
  const signature = Buffer.from(layer.annotations[SIGNATURE_ANNOTATION] ?? '', 'base64');
  if (!signature.length) return undefined;
  return options.findTlogEntry(createHash('sha256').update(layer.payload).digest(), signature);
}
