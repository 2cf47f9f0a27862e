import type { TransparencyLogEntry } from '../bundle/index.js';
import { SignetError } from '../errors.js';
import { leafHash } from '../merkle/index.js';
import { isObject } from './log-entry.js';
import type { LogEntryAnon } from './types.js';

/**
 * Rekor's LogEntry (hex hashes, JSON numbers) as the TransparencyLogEntry a Sigstore bundle holds (base64 bytes,
 * int64 as decimal strings), the way rekor's pkg/tle does it: logId is the raw logID, logIndex the virtual index,
 * inclusionProof.logIndex the shard-local one, kindVersion read from the body.
 */
export function toTransparencyLogEntry(uuid: string, entry: LogEntryAnon): TransparencyLogEntry {
  const tle: TransparencyLogEntry = {
    logIndex: String(entry.logIndex),
    logId: { keyId: hexToBase64(entry.logID) },
    kindVersion: kindVersionOf(entry.body, uuid),
    integratedTime: String(entry.integratedTime),
    canonicalizedBody: entry.body,
  };
  const set = entry.verification?.signedEntryTimestamp;
  if (set) tle.inclusionPromise = { signedEntryTimestamp: set };
  const proof = entry.verification?.inclusionProof;
  if (proof) {
    tle.inclusionProof = {
      logIndex: String(proof.logIndex),
      rootHash: hexToBase64(proof.rootHash),
      treeSize: String(proof.treeSize),
      hashes: proof.hashes.map(hexToBase64),
    };
    if (proof.checkpoint) tle.inclusionProof.checkpoint = { envelope: proof.checkpoint };
  }
  return tle;
}

/**
 * A bundle's entry back into Rekor's wire shape (to compare with what the log serves, or to print it like
 * rekor-cli). The UUID is the RFC 6962 leaf hash of the body.
 */
export function fromTransparencyLogEntry(tle: TransparencyLogEntry): { uuid: string; entry: LogEntryAnon } {
  const body = Buffer.from(tle.canonicalizedBody, 'base64');
  const entry: LogEntryAnon = {
    body: tle.canonicalizedBody,
    integratedTime: toNumber(tle.integratedTime ?? '0', 'integratedTime'),
    logID: Buffer.from(tle.logId.keyId, 'base64').toString('hex'),
    logIndex: toNumber(tle.logIndex, 'logIndex'),
  };
  const verification: NonNullable<LogEntryAnon['verification']> = {};
  if (tle.inclusionPromise) verification.signedEntryTimestamp = tle.inclusionPromise.signedEntryTimestamp;
  const p = tle.inclusionProof;
  if (p) {
    verification.inclusionProof = {
      logIndex: toNumber(p.logIndex, 'inclusionProof.logIndex'),
      rootHash: Buffer.from(p.rootHash, 'base64').toString('hex'),
      treeSize: toNumber(p.treeSize, 'inclusionProof.treeSize'),
      hashes: p.hashes.map((h) => Buffer.from(h, 'base64').toString('hex')),
      checkpoint: p.checkpoint?.envelope ?? '',
    };
  }
  if (verification.signedEntryTimestamp || verification.inclusionProof) entry.verification = verification;
  return { uuid: Buffer.from(leafHash(body)).toString('hex'), entry };
}

/** `{kind, apiVersion}` from an entry body (base64 of its canonical JSON). */
export function kindVersionOf(body: string, uuid = ''): { kind: string; version: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(body, 'base64').toString('utf8'));
  } catch {
    throw new SignetError('invalid-input', `the body of entry ${uuid || '(unknown)'} is not JSON`);
  }
  if (!isObject(parsed) || typeof parsed.kind !== 'string' || typeof parsed.apiVersion !== 'string') {
    throw new SignetError('invalid-input', `the body of entry ${uuid || '(unknown)'} has no kind or apiVersion`);
  }
  return { kind: parsed.kind, version: parsed.apiVersion };
}

function hexToBase64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

function toNumber(s: string, field: string): number {
  const n = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(n)) {
    throw new SignetError('invalid-input', `${field} must be a non-negative integer, got ${JSON.stringify(s)}`);
  }
  return n;
}
