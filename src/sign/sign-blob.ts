import { createHash } from 'node:crypto';
import type { Bundle, DsseEnvelope, TransparencyLogEntry } from '../bundle/index.js';
import { SignetError, invalidOption } from '../errors.js';
import { dsseBundle, messageSignatureBundle } from './bundle-builder.js';
import { requestSigningCertificate, type IssuedCertificate } from './fulcio-client.js';
import type { FetchLike } from './http-json.js';
import { nodeFetch } from '../http-client/index.js';
import { requireEmbeddedSct } from './sct.js';
import { signEd25519ph } from '../crypto/index.js';
import { ephemeralKeyPair, signBytes, signingHash, verifierPem, type Signer } from './signer.js';
import { signEnvelope, type InTotoStatement } from './statement.js';
import { dsseV2Request, hashedRekordV2Request, uploadV2Entry } from './rekor-v2.js';

export interface TlogOptions {
  /** Rekor base URL; required unless tlogUpload is false. */
  rekorUrl?: string;
  /** 1 (default): Rekor v1 entries with a signed entry timestamp; 2: rekor-tiles entries, which need a TSA. */
  rekorApiVersion?: 1 | 2;
  /** RFC 3161 timestamp authority: the signature is countersigned there and the token goes in the bundle. */
  tsaUrl?: string;
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
 * Signs a blob (cosign sign-blob): signature over the bytes, hashedrekord entry in the log (0.0.1 on Rekor v1, 0.0.2
 * on Rekor v2), an RFC 3161 timestamp when a TSA is given, Sigstore bundle v0.3.
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
  const signature = prehash ? signEd25519ph(signer.privateKey, artifact) : signBytes(signer, artifact);
  const pem = verifierPem(signer);
  const timestamps = await countersign(signature, options);
  const tlogEntries: TransparencyLogEntry[] = [];
  if (options.tlogUpload !== false) {
    tlogEntries.push(
      options.rekorApiVersion === 2
        ? await uploadV2Entry(requireRekor(options), hashedRekordV2Request(signer, digest, signature))
        : await rekorV1().then(({ uploadEntry, hashedRekordEntry }) =>
            uploadEntry(requireRekor(options), hashedRekordEntry(algorithm, digest.toString('hex'), signature, pem)),
          ),
    );
  }
  const bundle = messageSignatureBundle(signer, algorithm, digest, signature, tlogEntries, timestamps);
  return { bundle, signature, verifierPem: pem, tlogEntry: tlogEntries[0] };
}

export interface SignedAttestation {
  bundle: Bundle;
  envelope: DsseEnvelope;
  verifierPem: string;
  tlogEntry?: TransparencyLogEntry;
}

/** Signs an in-toto statement into a DSSE envelope, logs it as a dsse entry (0.0.1, or 0.0.2 on Rekor v2), bundles it. */
export async function attestStatement(
  statement: InTotoStatement | Buffer,
  signer: Signer,
  options: TlogOptions = {},
): Promise<SignedAttestation> {
  const payload = Buffer.isBuffer(statement) ? statement : Buffer.from(JSON.stringify(statement));
  const envelope = signEnvelope(signer, payload);
  const pem = verifierPem(signer);
  const timestamps = await countersign(Buffer.from(envelope.signatures[0]!.sig, 'base64'), options);
  const tlogEntries: TransparencyLogEntry[] = [];
  if (options.tlogUpload !== false) {
    tlogEntries.push(
      options.rekorApiVersion === 2
        ? await uploadV2Entry(requireRekor(options), dsseV2Request(signer, envelope))
        : await rekorV1().then(({ uploadEntry, dsseEntry }) =>
            uploadEntry(requireRekor(options), dsseEntry(JSON.stringify(envelope), pem)),
          ),
    );
  }
  const bundle = dsseBundle(signer, envelope, tlogEntries, timestamps);
  return { bundle, envelope, verifierPem: pem, tlogEntry: tlogEntries[0] };
}

/**
 * RFC 3161 timestamps over the signature bytes (cosign v3 asks the signing config's TSA whenever one is listed).
 * A Rekor v2 entry has no signed time of its own, so logging there without a TSA is refused up front.
 */
async function countersign(signature: Buffer, options: TlogOptions): Promise<Buffer[]> {
  if (options.tsaUrl) {
    // Loaded when used: the TSA client's ASN.1 modules cost a short CLI run more than the whole signing exchange.
    const { requestTimestamp } = await import('../tsa-client/index.js');
    return [await requestTimestamp(options.tsaUrl, signature, { fetch: nodeFetch })];
  }
  if (options.rekorApiVersion === 2 && options.tlogUpload !== false) {
    throw new SignetError(
      'invalid-input',
      'a Rekor v2 log needs a timestamp authority: list one in the signing config (tsaUrls)',
    );
  }
  return [];
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

/** The Rekor v1 upload (and its log client, with the proof checks), loaded only when a v1 log is used. */
const rekorV1 = () => import('./tlog.js');

function requireRekor(options: TlogOptions): string {
  if (!options.rekorUrl) {
    throw invalidOption('rekorUrl', 'no transparency log URL to upload to');
  }
  return options.rekorUrl;
}
