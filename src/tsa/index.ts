/** The RFC 3161 timestamp authority (Sigstore timestamp-authority's API). Clients use src/tsa-client. */
export { createTsaService, TIMESTAMP_PATH, type TsaService, type TsaServiceOptions, type TsaTrust } from './service.js';
export { ensureTsaSigner, loadTsaSigner, TSA_FILES } from './store.js';
export { createTsaChain, checkTsaChain } from './certificates.js';
export { issueTimestamp, signerHash, type TsaSigner } from './response.js';
export {
  parseDerRequest,
  parseJsonRequest,
  DEFAULT_POLICY_OID,
  HASHES,
  type HashName,
  type TimestampRequest,
} from './request.js';
