import { concat, fromHex, pemBlocks, sha256, toHex, utf8 } from './bytes.js';
import { children, expectTag, parseDer, TAG } from './der.js';
import { spkiAlgorithm } from './certificate.js';

/** A log's public key ready for WebCrypto, with the identifiers Rekor derives from it. */
export interface LogKey {
  algorithm: string;
  /** Hex SHA-256 of the DER SubjectPublicKeyInfo: Rekor's log ID. */
  logId: string;
  /** First 4 bytes of the log ID: the key hash on Rekor v1 checkpoint signature lines. */
  keyHash: string;
  verify(message: Uint8Array<ArrayBuffer>, signature: Uint8Array<ArrayBuffer>): Promise<boolean>;
}

/** Imports a PEM `PUBLIC KEY` (ECDSA P-256/384, Ed25519 or RSA) as signet and Rekor sign checkpoints and SETs. */
export async function importLogKey(pem: string): Promise<LogKey> {
  const block = pemBlocks(pem).find((b) => b.label === 'PUBLIC KEY');
  if (!block) throw new Error('the log public key is not a PEM PUBLIC KEY');
  const algorithm = spkiAlgorithm(parseDer(block.der));
  const logId = toHex(await sha256(block.der));
  const verify = await verifierFor(algorithm, block.der);
  return { algorithm, logId, keyHash: logId.slice(0, 8), verify };
}

async function verifierFor(algorithm: string, spki: Uint8Array<ArrayBuffer>): Promise<LogKey['verify']> {
  const subtle = crypto.subtle;
  if (algorithm === 'ECDSA P-256' || algorithm === 'ECDSA P-384') {
    const size = algorithm === 'ECDSA P-256' ? 32 : 48;
    const namedCurve = algorithm.slice(6);
    const key = await subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve }, false, ['verify']);
    return async (message, signature) => {
      const raw = derSignatureToRaw(signature, size);
      if (!raw) return false;
      return subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, raw, message);
    };
  }
  if (algorithm === 'Ed25519') {
    const key = await subtle.importKey('spki', spki, { name: 'Ed25519' }, false, ['verify']);
    return (message, signature) => subtle.verify({ name: 'Ed25519' }, key, signature, message);
  }
  if (algorithm === 'RSA') {
    const key = await subtle.importKey('spki', spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['verify']);
    return (message, signature) => subtle.verify({ name: 'RSASSA-PKCS1-v1_5' }, key, signature, message);
  }
  throw new Error(`unsupported log key algorithm ${algorithm}`);
}

/** ASN.1 `ECDSA-Sig-Value` to WebCrypto's r || s; undefined when it is not a well-formed signature of that size. */
export function derSignatureToRaw(der: Uint8Array, size: number): Uint8Array<ArrayBuffer> | undefined {
  try {
    const [r, s, extra] = children(expectTag(parseDer(der), TAG.SEQUENCE, 'ECDSA-Sig-Value'));
    if (!r || !s || extra) return undefined;
    const fixed = (i: Uint8Array) => {
      const v = i.subarray(i.findIndex((b) => b !== 0) < 0 ? i.length : i.findIndex((b) => b !== 0));
      if (v.length > size) throw new Error('integer too large');
      return concat(new Uint8Array(size - v.length), v);
    };
    return concat(fixed(expectTag(r, TAG.INTEGER, 'r').value), fixed(expectTag(s, TAG.INTEGER, 's').value));
  } catch {
    return undefined;
  }
}

/** The bytes of a SignedEntryTimestamp: RFC 8785 JSON of body, integratedTime, logID and logIndex. */
export function setPayload(e: { body: string; integratedTime: number; logID: string; logIndex: number }) {
  // Keys already in RFC 8785 order; base64, hex and integers serialize identically under JSON.stringify.
  const json = JSON.stringify({ body: e.body, integratedTime: e.integratedTime, logID: e.logID, logIndex: e.logIndex });
  return utf8(json);
}

/** The entry UUID (leaf hash hex) inside a 64- or 80-hex entry ID. */
export function leafHashOfEntryId(id: string): Uint8Array<ArrayBuffer> {
  if (!/^([0-9a-fA-F]{16})?[0-9a-fA-F]{64}$/.test(id)) throw new Error('not an entry ID');
  return fromHex(id.slice(-64));
}
