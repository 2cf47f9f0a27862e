import { X509Certificate } from 'node:crypto';
import {
  BUNDLE_V03_MEDIA_TYPE,
  type Bundle,
  type DsseEnvelope,
  type TransparencyLogEntry,
  type VerificationMaterial,
} from '../bundle/index.js';
import { publicKeyHint, type Signer } from './signer.js';

/** Keyless: the leaf alone (`certificate`, v0.3); key-based: a `publicKey` hint, the key travels out of band. */
export function verificationMaterial(
  signer: Signer,
  tlogEntries: TransparencyLogEntry[],
  timestamps: Buffer[] = [],
): VerificationMaterial {
  const leafPem = signer.certificateChainPem?.[0];
  const material: VerificationMaterial = leafPem
    ? { certificate: { rawBytes: new X509Certificate(leafPem).raw.toString('base64') }, tlogEntries }
    : { publicKey: { hint: publicKeyHint(signer.publicKey) }, tlogEntries };
  if (timestamps.length > 0) {
    material.timestampVerificationData = {
      rfc3161Timestamps: timestamps.map((t) => ({ signedTimestamp: t.toString('base64') })),
    };
  }
  return material;
}

/** A Sigstore bundle v0.3 over a message signature (sign-blob). */
export function messageSignatureBundle(
  signer: Signer,
  algorithm: 'sha256' | 'sha384' | 'sha512',
  digest: Buffer,
  signature: Buffer,
  tlogEntries: TransparencyLogEntry[],
  timestamps: Buffer[] = [],
): Bundle {
  const names = { sha256: 'SHA2_256', sha384: 'SHA2_384', sha512: 'SHA2_512' } as const;
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: verificationMaterial(signer, tlogEntries, timestamps),
    messageSignature: {
      messageDigest: { algorithm: names[algorithm], digest: digest.toString('base64') },
      signature: signature.toString('base64'),
    },
  };
}

/** A Sigstore bundle v0.3 over a DSSE envelope (attest-blob). */
export function dsseBundle(
  signer: Signer,
  envelope: DsseEnvelope,
  tlogEntries: TransparencyLogEntry[],
  timestamps: Buffer[] = [],
): Bundle {
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: verificationMaterial(signer, tlogEntries, timestamps),
    dsseEnvelope: envelope,
  };
}
