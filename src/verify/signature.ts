import { createHash, verify, type KeyObject } from 'node:crypto';
import { IN_TOTO_PAYLOAD_TYPE, type DsseEnvelope } from '../bundle/index.js';
import { verifyDigestSignature, verifyEd25519ph, type DigestHash, type EcPointKey } from '../crypto/index.js';
import { derBytes, derChildren, parseDer } from '../encoding/index.js';
import { verificationFailed } from '../errors.js';

/** The artifact to verify: its bytes, or only its digest (`sha256:<hex>` on the command line). */
export type Artifact = { bytes: Buffer } | { digest: Buffer; algorithm: 'sha256' | 'sha384' | 'sha512' };

/** The bundle signer's key: a KeyObject, or a leaf certificate's EC key held by the native addon. */
export type SignerKey = KeyObject | EcPointKey;
const isEcPointKey = (key: SignerKey): key is EcPointKey => 'verifyDigest' in key;

/** The hash a signature by this key is made over (sigstore's key details: P-256/SHA-256, P-384/SHA-384...). */
export function signatureHash(key: KeyObject): string | null {
  if (key.asymmetricKeyType === 'ed25519') return null;
  if (key.asymmetricKeyType === 'ec') {
    let hash = curveHashes.get(key);
    if (!hash) {
      const curve = key.asymmetricKeyDetails?.namedCurve; // node builds this object anew on each read
      hash = curve === 'secp384r1' ? 'sha384' : curve === 'secp521r1' ? 'sha512' : 'sha256';
      curveHashes.set(key, hash);
    }
    return hash;
  }
  return 'sha256';
}

const curveHashes = new WeakMap<KeyObject, string>();

/** Named-curve parameters (DER OIDs) of an EC SubjectPublicKeyInfo, and the hash each curve signs with. */
const CURVE_HASHES = new Map([
  ['06082a8648ce3d030107', 'sha256'], // P-256
  ['06052b81040022', 'sha384'], // P-384
  ['06052b81040023', 'sha512'], // P-521
]);

/**
 * Records an EC key's hash from its SPKI's curve OID (a certificate has the SPKI at hand), so that signatureHash
 * does not ask node for the key's details: a native call on each fresh key, which showed in the profile.
 */
export function learnSignatureHash(key: KeyObject, spki: Buffer): void {
  if (key.asymmetricKeyType !== 'ec') return;
  try {
    const params = derChildren(derChildren(parseDer(spki, 'subject public key info'))[0]!)[1];
    const hash = params && CURVE_HASHES.get(derBytes(params).toString('hex'));
    if (hash) curveHashes.set(key, hash);
  } catch {
    // signatureHash asks node instead
  }
}

/** The artifact's digest under `algorithm`, when it can be known (always from the bytes; from a digest if same). */
export function artifactDigest(artifact: Artifact, algorithm: string): Buffer | undefined {
  if ('bytes' in artifact) return createHash(algorithm).update(artifact.bytes).digest();
  return artifact.algorithm === algorithm ? artifact.digest : undefined;
}

/** A message signature over the artifact; over its digest when only the digest was given. */
export function verifyMessageSignature(key: SignerKey, signature: Buffer, artifact: Artifact): void {
  const hash = isEcPointKey(key) ? key.hash : signatureHash(key);
  let ok: boolean;
  if ('bytes' in artifact && !isEcPointKey(key)) {
    ok = safeVerify(hash, artifact.bytes, key, signature);
    if (!ok && hash === null) ok = verifyEd25519ph(key, artifact.bytes, signature);
  } else {
    if (hash === null) throw verificationFailed('an Ed25519 signature can only be verified over the artifact itself');
    if ('algorithm' in artifact && hash !== artifact.algorithm) {
      throw verificationFailed(`the signature is over a ${hash} digest, not the ${artifact.algorithm} digest given`);
    }
    const digest = artifactDigest(artifact, hash)!;
    ok = isEcPointKey(key)
      ? key.verifyDigest(digest, signature)
      : verifyDigestSignature(key, hash as DigestHash, digest, signature);
  }
  if (!ok) throw verificationFailed('the signature does not verify over the artifact');
}

/** The envelope's signature (decoded) over its PAE. */
export function verifyDsseSignature(key: SignerKey, signature: Buffer, pae: Buffer): void {
  const ok = isEcPointKey(key)
    ? key.verifyDigest(createHash(key.hash).update(pae).digest(), signature)
    : safeVerify(signatureHash(key), pae, key, signature);
  if (!ok) throw verificationFailed('the DSSE envelope signature does not verify');
}

export interface InTotoStatement {
  _type?: string;
  predicateType?: string;
  subject?: { name?: string; digest?: Record<string, string> }[];
  predicate?: unknown;
}

/** The envelope's in-toto statement (payload type application/vnd.in-toto+json, a JSON object). */
export function inTotoStatement(envelope: DsseEnvelope, payload: Buffer): InTotoStatement {
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw verificationFailed(
      `the envelope payload type ${JSON.stringify(envelope.payloadType)} is not an in-toto statement`,
    );
  }
  let statement: unknown;
  try {
    statement = JSON.parse(payload.toString('utf8'));
  } catch (e) {
    throw verificationFailed('the in-toto statement is not JSON', e);
  }
  if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) {
    throw verificationFailed('the in-toto statement is not a JSON object');
  }
  return statement as InTotoStatement;
}

/** One of the statement's subjects has the artifact's digest. */
export function checkSubject(statement: InTotoStatement, artifact: Artifact): void {
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  const found = subjects.some((s) =>
    Object.entries(s?.digest ?? {}).some(([alg, hex]) => {
      const want = ['sha256', 'sha384', 'sha512'].includes(alg) ? artifactDigest(artifact, alg) : undefined;
      return typeof hex === 'string' && want !== undefined && want.toString('hex') === hex.toLowerCase();
    }),
  );
  if (!found) throw verificationFailed('the artifact is not a subject of the in-toto statement');
}

function safeVerify(hash: string | null, data: Buffer, key: KeyObject, sig: Buffer): boolean {
  try {
    return verify(hash, data, key, sig);
  } catch {
    return false;
  }
}
