/**
 * The Rekor v1 client (what `signet log upload/get/...`, signing and the monitor use), a domain of its own apart
 * from the log server in log/, as sigstore-js keeps its clients apart: HTTP calls, proposed-entry builders, bundle
 * conversions and the tree-state store.
 */
export { RekorClient, type CreatedEntry } from './rekor-client.js';
export type { FetchLike, HttpOptions } from './http.js';
export { parseLogEntry, parseLogEntries, toLogEntry, type ParsedLogEntry } from './log-entry.js';
export { toTransparencyLogEntry, fromTransparencyLogEntry, kindVersionOf } from './tle.js';
export {
  buildProposedEntry,
  parseProposedEntry,
  parseArtifactHash,
  signatureBytes,
  x509Pem,
  ENTRY_TYPES,
  type ArtifactProperties,
  type EntryType,
} from './proposed-entry.js';
export { sniffPkiFormat } from './pki-sniff.js';
export { treeStatePath, loadTreeState, saveTreeState, type TreeState } from './tree-state.js';
export type * from './types.js';
export { logAuthorityFor, treeIdOf, verifyLogEntry, checkLogInfo, type LogInfoCheck } from './checks.js';
