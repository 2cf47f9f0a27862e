import { createHash } from 'node:crypto';
import type { Bundle, DsseEnvelope, TransparencyLogEntry } from '../bundle/index.js';
import { SignetError } from '../errors.js';
import { dsseBundle, messageSignatureBundle } from './bundle-builder.js';
import { requestSigningCertificate, type IssuedCertificate } from './fulcio-client.js';
import type { FetchLike } from './http-json.js';
import { requireEmbeddedSct } from './sct.js';
import { ephemeralKeyPair, signBytes, signEd25519ph, signingHash, verifierPem, type Signer } from './signer.js';
import { signEnvelope, type InTotoStatement } from './statement.js';
import { dsseEntry, hashedRekordEntry, uploadEntry } from './tlog.js';

export interface TlogOptions {
  /** Rekor v1 base URL; required unless tlogUpload is false. */
  rekorUrl?: string;
  /** Default true: log the signature and put the entry in the bundle. */
  tlogUpload?: boolean;
}

export interface SignedBlob {
  bundle: Bundle;
  signature: Buffer;
  /** The PEM the log recorded: the leaf certificate (keyless) or the public key. */
  verifierPem: string;
  tlogEntry?: TransparencyLogEntry;
}

/**
 * Signs a blob (cosign sign-blob): signature over the bytes, hashedrekord entry in the log, Sigstore bundle v0.3.
 *
 * @example
 *   const { bundle } = await signBlob(data, signerFromPrivateKey(key), { rekorUrl: 'http://127.0.0.1:3000' });
 */
export async function signBlob(artifact: Buffer, signer: Signer, options: TlogOptions = {}): Promise<SignedBlob> {
  // The digest matches the key's signing hash (P-384: SHA-384...), as sigstore-go records it. Ed25519 keys sign as
  // Ed25519ph over SHA-512 when logged (a hashedrekord entry has only the digest), pure Ed25519 otherwise, as cosign.
  const prehash = signer.privateKey.asymmetricKeyType === 'ed25519' && options.tlogUpload !== false;
  const algorithm = prehash ? 'sha512' : (signingHash(signer.privateKey) ?? 'sha256');
  const digest = createHash(algorithm).update(artifact).digest();
  const signature = prehash ? signEd25519ph(signer, artifact) : signBytes(signer, artifact);
  const pem = verifierPem(signer);
  const tlogEntries: TransparencyLogEntry[] = [];
  if (options.tlogUpload !== false) {
    const entry = hashedRekordEntry(algorithm, digest.toString('hex'), signature, pem);
    tlogEntries.push(await uploadEntry(requireRekor(options), entry));
  }
  const bundle = messageSignatureBundle(signer, algorithm, digest, signature, tlogEntries);
  return { bundle, signature, verifierPem: pem, tlogEntry: tlogEntries[0] };
}

export interface SignedAttestation {
  bundle: Bundle;
  envelope: DsseEnvelope;
  verifierPem: string;
  tlogEntry?: TransparencyLogEntry;
}

/** Signs an in-toto statement into a DSSE envelope, logs it as a dsse 0.0.1 entry, bundles it (attest-blob). */
export async function attestStatement(
  statement: InTotoStatement | Buffer,
  signer: Signer,
  options: TlogOptions = {},
): Promise<SignedAttestation> {
  const payload = Buffer.isBuffer(statement) ? statement : Buffer.from(JSON.stringify(statement));
  const envelope = signEnvelope(signer, payload);
  const pem = verifierPem(signer);
  const tlogEntries: TransparencyLogEntry[] = [];
  if (options.tlogUpload !== false) {
    tlogEntries.push(await uploadEntry(requireRekor(options), dsseEntry(JSON.stringify(envelope), pem)));
  }
  return { bundle: dsseBundle(signer, envelope, tlogEntries), envelope, verifierPem: pem, tlogEntry: tlogEntries[0] };
}

/**
 * Keyless: an ephemeral P-256 key certified by the CA for the identity in `idToken`. The certificate must carry an
 * embedded SCT.
 */
export async function keylessSigner(
  fulcioUrl: string,
  idToken: string,
  options: { fetch?: FetchLike } = {},
): Promise<Signer & { issued: IssuedCertificate }> {
  const key = ephemeralKeyPair();
  const issued = await requestSigningCertificate(fulcioUrl, idToken, key, options);
  requireEmbeddedSct(issued);
  return { ...key, certificateChainPem: issued.chainPem, issued };
}

function requireRekor(options: TlogOptions): string {
  if (!options.rekorUrl) {
    throw new SignetError(
      'invalid-input',
      'no transparency log URL: pass --rekor-url or --signing-config, or --tlog-upload=false',
    );
  }
  return options.rekorUrl;
}
