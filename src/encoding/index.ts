/** Byte-level encodings shared by every domain: RFC 8785 canonical JSON and a read-only DER walker. */
export { canonicalJson } from './canonical-json.js';
export * from './der.js';
export * from './certificate-der.js';
export { generalNames, subjectAltNames } from './subject-alt-names.js';
export { decodePem, encodePem, isStdBase64, pemBlocks, type PemBlock } from './pem.js';
