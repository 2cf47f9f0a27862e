/**
 * Byte-level encodings shared by every domain: RFC 8785 canonical JSON, DER (read and written) and the certificate
 * parts several domains read (extensions, subject alternative names), PEM, TLS structures and RFC 6962 SCTs.
 */
export { canonicalJson } from './canonical-json.js';
export * from './der.js';
export * from './certificate-der.js';
export { generalNames, subjectAltNames } from './subject-alt-names.js';
export { TlsReader, TlsWriter } from './tls.js';
export {
  ENTRY_TYPE,
  HASH_SHA256,
  SIG_ECDSA,
  SIG_RSA,
  decodeDigitallySigned,
  encodeDigitallySigned,
  parseSct,
  parseSctList,
  sctSignedData,
  sctToJson,
  serializeSct,
  serializeSctList,
  writeSignedEntry,
  type Sct,
  type SignedEntry,
} from './sct.js';
export { decodePem, encodePem, isStdBase64, pemBlocks, type PemBlock } from './pem.js';
export { timestampTokenContent, tstInfoFields } from './rfc3161.js';
