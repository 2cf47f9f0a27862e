/**
 * Rekor v1's JSON shapes as its openapi.yaml defines them (what the server sends and accepts). Hashes in the proof
 * are hex here; the Sigstore bundle form (src/bundle/types.ts) uses base64 and int64 strings instead.
 */

export interface RekorInclusionProof {
  /** The leaf index inside the shard tree (not the virtual index). */
  logIndex: number;
  rootHash: string;
  treeSize: number;
  hashes: string[];
  /** The signed note text. */
  checkpoint: string;
}

export interface LogEntryAnon {
  /** Base64 of the canonical entry bytes stored in the Merkle leaf. */
  body: string;
  integratedTime: number;
  /** Hex SHA-256 of the shard's DER SPKI public key. */
  logID: string;
  /** The virtual index, across shards. */
  logIndex: number;
  attestation?: { data?: string };
  verification?: {
    signedEntryTimestamp?: string;
    inclusionProof?: RekorInclusionProof;
  };
}

/** One key: the entry ID (80 hex, or 64), whose value is the entry. */
export type LogEntry = Record<string, LogEntryAnon>;

export interface ShardInfo {
  rootHash: string;
  treeSize: number;
  signedTreeHead: string;
  treeID: string;
}

export interface LogInfo extends ShardInfo {
  inactiveShards?: ShardInfo[];
}

export interface ConsistencyProof {
  rootHash: string;
  hashes: string[];
}

export type PkiFormat = 'pgp' | 'x509' | 'minisign' | 'ssh' | 'tuf';

export interface SearchIndexQuery {
  hash?: string;
  email?: string;
  subject?: string;
  /** `content` is base64 of the key bytes in the named format. */
  publicKey?: { format: PkiFormat; content?: string };
  operator?: 'and' | 'or';
}

export interface SearchLogQuery {
  entryUUIDs?: string[];
  logIndexes?: number[];
  entries?: ProposedEntry[];
}

export interface ProposedEntry {
  kind: string;
  apiVersion: string;
  spec: Record<string, unknown>;
}
