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
export function verificationMaterial(signer: Signer, tlogEntries: TransparencyLogEntry[]): VerificationMaterial {
  const leafPem = signer.certificateChainPem?.[0];
  if (leafPem) {
    return { certificate: { rawBytes: new X509Certificate(leafPem).raw.toString('base64') }, tlogEntries };
  }
  return { publicKey: { hint: publicKeyHint(signer.publicKey) }, tlogEntries };
}

/** A Sigstore bundle v0.3 over a message signature (sign-blob). */
export function messageSignatureBundle(
  signer: Signer,
  algorithm: 'sha256' | 'sha384' | 'sha512',
  digest: Buffer,
  signature: Buffer,
  tlogEntries: TransparencyLogEntry[],
): Bundle {
  const names = { sha256: 'SHA2_256', sha384: 'SHA2_384', sha512: 'SHA2_512' } as const;
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: verificationMaterial(signer, tlogEntries),
    messageSignature: {
      messageDigest: { algorithm: names[algorithm], digest: digest.toString('base64') },
      signature: signature.toString('base64'),
    },
  };
}

/** A Sigstore bundle v0.3 over a DSSE envelope (attest-blob). */
export function dsseBundle(signer: Signer, envelope: DsseEnvelope, tlogEntries: TransparencyLogEntry[]): Bundle {
  return {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    verificationMaterial: verificationMaterial(signer, tlogEntries),
    dsseEnvelope: envelope,
  };
}
