import { fromBase64, fromUtf8, pemBlocks, toBase64, toHex, utf8 } from './bytes.js';
import { parseCertificate, spkiAlgorithm, type CertificateInfo } from './certificate.js';
import { parseDer } from './der.js';

export interface Digest {
  algorithm: string;
  value: string;
}

/** One signature of an entry with what signed it. */
export interface SignatureInfo {
  /** Base64 signature bytes. */
  signature: string;
  /** `x509`, `ssh`, `pgp` or `minisign` (rekord's signature format; x509 elsewhere). */
  format: string;
  /** The key or certificate as logged (PEM for x509, else the key file text). */
  keyText?: string;
  /** Set when the signer is an X.509 certificate (the leaf, the first of a chain). */
  certificate?: CertificateInfo;
  /** Algorithm of a bare PEM public key. */
  keyAlgorithm?: string;
}

/** A Rekor entry body decoded for display. */
export interface EntrySummary {
  kind: string;
  apiVersion: string;
  /** The artifact digest (hashedrekord, rekord) or the DSSE payload digest (intoto, dsse). */
  artifactDigest?: Digest;
  envelopeDigest?: Digest;
  payloadType?: string;
  signatures: SignatureInfo[];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const digest = (v: unknown): Digest | undefined => {
  const o = obj(v);
  const algorithm = str(o.algorithm);
  const value = str(o.value);
  return algorithm && value ? { algorithm, value } : undefined;
};

/** Decodes a base64 entry body (`LogEntryAnon.body`). Throws if it is not a `{kind, apiVersion, spec}` JSON object. */
export function decodeEntryBody(bodyBase64: string): EntrySummary {
  const body = obj(JSON.parse(fromUtf8(fromBase64(bodyBase64))));
  const kind = str(body.kind);
  const apiVersion = str(body.apiVersion);
  if (!kind || !apiVersion) throw new Error('entry body has no kind and apiVersion');
  const spec = obj(body.spec);
  const out: EntrySummary = { kind, apiVersion, signatures: [] };
  if (apiVersion === '0.0.2' && (spec.hashedRekordV002 || spec.dsseV002)) return decodeV2Spec(spec, out);
  switch (kind) {
    case 'hashedrekord':
    case 'rekord': {
      const sig = obj(spec.signature);
      out.artifactDigest = digest(obj(spec.data).hash);
      out.signatures.push(signer(str(sig.content), str(obj(sig.publicKey).content), str(sig.format) ?? 'x509'));
      break;
    }
    case 'intoto': {
      const content = obj(spec.content);
      out.artifactDigest = digest(content.payloadHash);
      out.envelopeDigest = digest(content.hash);
      const env = obj(content.envelope);
      out.payloadType = str(env.payloadType);
      const sigs = Array.isArray(env.signatures) ? env.signatures.map(obj) : [];
      // 0.0.2 double-encodes: sig is base64 of the envelope's base64 string.
      for (const s of sigs) out.signatures.push(signer(unwrapBase64(str(s.sig)), str(s.publicKey), 'x509'));
      if (sigs.length === 0 && str(spec.publicKey)) out.signatures.push(signer(undefined, str(spec.publicKey), 'x509'));
      break;
    }
    case 'dsse': {
      out.artifactDigest = digest(spec.payloadHash);
      out.envelopeDigest = digest(spec.envelopeHash);
      const sigs = Array.isArray(spec.signatures) ? spec.signatures.map(obj) : [];
      for (const s of sigs) out.signatures.push(signer(str(s.signature), str(s.verifier), 'x509'));
      break;
    }
  }
  return out;
}

/**
 * Rekor v2 bodies (hashedrekord / dsse 0.0.2) are protobuf JSON: the digest as base64 bytes under a `SHA2_*` name,
 * each verifier a DER key or certificate in `rawBytes`.
 */
function decodeV2Spec(spec: Json, out: EntrySummary): EntrySummary {
  const v2Digest = (v: unknown): Digest | undefined => {
    const o = obj(v);
    const alg = { SHA2_256: 'sha256', SHA2_384: 'sha384', SHA2_512: 'sha512' }[str(o.algorithm) ?? ''];
    const b64 = str(o.digest);
    return alg && b64 ? { algorithm: alg, value: toHex(fromBase64(b64)) } : undefined;
  };
  const v2Signer = (s: Json): SignatureInfo => {
    const verifier = obj(s.verifier);
    const cert = str(obj(verifier.x509Certificate).rawBytes);
    const key = cert ?? str(obj(verifier.publicKey).rawBytes);
    if (!key) return { signature: str(s.content) ?? '', format: 'x509' };
    const label = cert ? 'CERTIFICATE' : 'PUBLIC KEY';
    const pem = `-----BEGIN ${label}-----\n${key.replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END ${label}-----\n`;
    return signer(str(s.content), toBase64(utf8(pem)), 'x509');
  };
  const hr = obj(spec.hashedRekordV002);
  const dsse = obj(spec.dsseV002);
  if (spec.hashedRekordV002) {
    out.artifactDigest = v2Digest(hr.data);
    out.signatures.push(v2Signer(obj(hr.signature)));
  } else {
    out.artifactDigest = v2Digest(dsse.payloadHash);
    for (const s of Array.isArray(dsse.signatures) ? dsse.signatures.map(obj) : []) out.signatures.push(v2Signer(s));
  }
  return out;
}

function unwrapBase64(b64: string | undefined): string | undefined {
  if (b64 === undefined) return undefined;
  try {
    return fromUtf8(fromBase64(b64));
  } catch {
    return b64;
  }
}

function signer(signature: string | undefined, keyBase64: string | undefined, format: string): SignatureInfo {
  const info: SignatureInfo = { signature: signature ?? '', format };
  if (!keyBase64) return info;
  try {
    info.keyText = fromUtf8(fromBase64(keyBase64));
  } catch {
    return info;
  }
  if (format !== 'x509') return info;
  const block = pemBlocks(info.keyText)[0];
  try {
    if (block?.label === 'CERTIFICATE') info.certificate = parseCertificate(block.der);
    else if (block?.label === 'PUBLIC KEY') info.keyAlgorithm = spkiAlgorithm(parseDer(block.der));
  } catch {
    // Shown as text only: a key the log accepted but this page cannot read.
  }
  return info;
}
