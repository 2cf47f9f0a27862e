import { SignetError } from '../errors.js';
import type { LogEntry, LogEntryAnon, RekorInclusionProof } from './types.js';

export interface ParsedLogEntry {
  uuid: string;
  entry: LogEntryAnon;
}

const ENTRY_ID = /^([0-9a-f]{64}|[0-9a-f]{80})$/i;
const HEX32 = /^[0-9a-f]{64}$/i;

/**
 * Checks a server's LogEntry answer has Rekor's shape before anything reads it: one key (the entry ID) whose value
 * has a base64 body, numeric times and indexes, and (when present) a well-formed inclusion proof.
 */
export function parseLogEntries(what: string, value: unknown): ParsedLogEntry[] {
  if (!isObject(value)) throw malformed(what, 'a log entry must be a JSON object');
  return Object.entries(value).map(([uuid, entry]) => {
    if (!ENTRY_ID.test(uuid))
      throw malformed(what, `entry id ${JSON.stringify(uuid.slice(0, 90))} is not 64 or 80 hex`);
    return { uuid: uuid.toLowerCase(), entry: checkEntry(what, entry) };
  });
}

export function parseLogEntry(what: string, value: unknown): ParsedLogEntry {
  const entries = parseLogEntries(what, value);
  if (entries.length !== 1) throw malformed(what, `expected one entry, got ${entries.length}`);
  return entries[0]!;
}

function checkEntry(what: string, e: unknown): LogEntryAnon {
  if (!isObject(e)) throw malformed(what, 'the entry is not an object');
  if (typeof e.body !== 'string' || !isBase64(e.body)) throw malformed(what, 'body is not a base64 string');
  if (!isCount(e.integratedTime)) throw malformed(what, 'integratedTime is not a non-negative integer');
  if (!isCount(e.logIndex)) throw malformed(what, 'logIndex is not a non-negative integer');
  if (typeof e.logID !== 'string' || !HEX32.test(e.logID)) throw malformed(what, 'logID is not 64 hex');
  const v = e.verification;
  if (v !== undefined) {
    if (!isObject(v)) throw malformed(what, 'verification is not an object');
    if (
      v.signedEntryTimestamp !== undefined &&
      (typeof v.signedEntryTimestamp !== 'string' || !isBase64(v.signedEntryTimestamp))
    ) {
      throw malformed(what, 'signedEntryTimestamp is not base64');
    }
    if (v.inclusionProof !== undefined) checkProof(what, v.inclusionProof);
  }
  return e as unknown as LogEntryAnon;
}

function checkProof(what: string, p: unknown): asserts p is RekorInclusionProof {
  if (!isObject(p)) throw malformed(what, 'inclusionProof is not an object');
  if (!isCount(p.logIndex) || !isCount(p.treeSize))
    throw malformed(what, 'inclusionProof index or size is not an integer');
  if (typeof p.rootHash !== 'string' || !HEX32.test(p.rootHash))
    throw malformed(what, 'inclusionProof rootHash is not 64 hex');
  if (!Array.isArray(p.hashes) || !p.hashes.every((h) => typeof h === 'string' && HEX32.test(h))) {
    throw malformed(what, 'inclusionProof hashes are not 64-hex strings');
  }
  if (p.checkpoint !== undefined && typeof p.checkpoint !== 'string')
    throw malformed(what, 'checkpoint is not a string');
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function isBase64(s: string): boolean {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0;
}

function malformed(what: string, why: string): SignetError {
  return new SignetError('internal', `${what}: malformed answer from the log: ${why}`);
}

/** `{<uuid>: entry}` back into Rekor's wire shape. */
export function toLogEntry(uuid: string, entry: LogEntryAnon): LogEntry {
  return { [uuid]: entry };
}
