import { invalidInput } from '../errors.js';
import { pemBlocks } from '../encoding/index.js';
import { FieldReader } from './json-fields.js';
import { BUNDLE_V01_MEDIA_TYPE, type Bundle, type TransparencyLogEntry } from './types.js';

/**
 * cosign's old blob bundle (`--new-bundle-format=false`, cosign `LocalSignedPayload`):
 * `{base64Signature, cert, rekorBundle: {SignedEntryTimestamp, Payload: {body, integratedTime, logIndex, logID}}}`.
 * `cert` is base64 of a PEM certificate or public key (or raw PEM); `cert` and `rekorBundle` may be absent.
 */
export interface LegacyCosignBundle {
  base64Signature: string;
  /** The signer as PEM (certificate or public key). */
  certPem?: string;
  rekorBundle?: {
    signedEntryTimestamp: string;
    body: string;
    integratedTime: number;
    logIndex: number;
    logIdHex: string;
  };
}

export function isLegacyCosignBundle(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'base64Signature' in json && !('mediaType' in json);
}

export function parseLegacyCosignBundle(json: unknown): LegacyCosignBundle {
  const r = new FieldReader('cosign bundle');
  const o = r.object(json, 'cosign bundle');
  const out: LegacyCosignBundle = { base64Signature: r.bytes(o.base64Signature, 'base64Signature') };
  const cert = r.optionalString(o.cert, 'cert');
  if (cert)
    out.certPem = cert.includes('-----BEGIN') ? cert : Buffer.from(r.bytes(cert, 'cert'), 'base64').toString('utf8');
  if (out.certPem !== undefined && !out.certPem.includes('-----BEGIN'))
    r.fail('cert', 'is not a PEM certificate or key');
  const rb = r.optionalObject(o.rekorBundle, 'rekorBundle');
  if (rb) {
    const p = r.object(rb.Payload, 'rekorBundle.Payload');
    const int = (v: unknown, path: string) => Number(r.int64(v, path));
    const logIdHex = r.string(p.logID, 'rekorBundle.Payload.logID');
    if (!/^[0-9a-f]{64}$/.test(logIdHex)) r.fail('rekorBundle.Payload.logID', 'is not a hex SHA-256');
    out.rekorBundle = {
      signedEntryTimestamp: r.bytes(rb.SignedEntryTimestamp, 'rekorBundle.SignedEntryTimestamp'),
      body: r.bytes(p.body, 'rekorBundle.Payload.body'),
      integratedTime: int(p.integratedTime, 'rekorBundle.Payload.integratedTime'),
      logIndex: int(p.logIndex, 'rekorBundle.Payload.logIndex'),
      logIdHex,
    };
  }
  return out;
}

/**
 * The old bundle as a v0.1 protobuf bundle (the SET makes it one), plus the public key PEM when the signer was a
 * key rather than a certificate (the verifier then needs it as the trusted key, as cosign does).
 */
export function legacyToBundle(legacy: LegacyCosignBundle): { bundle: Bundle; publicKeyPem?: string } {
  const certs = legacy.certPem ? pemBlocks(legacy.certPem, 'CERTIFICATE') : [];
  const bundle: Bundle = {
    mediaType: BUNDLE_V01_MEDIA_TYPE,
    verificationMaterial: certs.length
      ? {
          x509CertificateChain: { certificates: certs.map((c) => ({ rawBytes: c.der.toString('base64') })) },
          tlogEntries: [],
        }
      : { publicKey: {}, tlogEntries: [] },
    messageSignature: { signature: legacy.base64Signature },
  };
  if (legacy.rekorBundle) bundle.verificationMaterial.tlogEntries.push(legacyEntry(legacy.rekorBundle));
  return certs.length || !legacy.certPem ? { bundle } : { bundle, publicKeyPem: legacy.certPem };
}

function legacyEntry(rb: NonNullable<LegacyCosignBundle['rekorBundle']>): TransparencyLogEntry {
  let body: { kind?: unknown; apiVersion?: unknown };
  try {
    body = JSON.parse(Buffer.from(rb.body, 'base64').toString('utf8'));
  } catch (e) {
    throw invalidInput('cosign bundle: rekorBundle.Payload.body is not a JSON log entry', e);
  }
  if (typeof body.kind !== 'string' || typeof body.apiVersion !== 'string') {
    throw invalidInput('cosign bundle: rekorBundle.Payload.body has no kind and apiVersion');
  }
  return {
    logIndex: String(rb.logIndex),
    logId: { keyId: Buffer.from(rb.logIdHex, 'hex').toString('base64') },
    kindVersion: { kind: body.kind, version: body.apiVersion },
    integratedTime: String(rb.integratedTime),
    inclusionPromise: { signedEntryTimestamp: rb.signedEntryTimestamp },
    canonicalizedBody: rb.body,
  };
}
