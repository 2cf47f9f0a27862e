import type { TransparencyLogEntry } from '../bundle/index.js';
import { verificationFailed } from '../errors.js';
import type { TlogAuthority } from './tlog-authority.js';
import { setPayload, verifySet } from './tlog-set.js';
import { verifyCheckpoint, verifyEntryInclusion } from './tlog-proof.js';

export { tlogAuthoritiesFromTrustedRoot, tlogAuthority, type TlogAuthority } from './tlog-authority.js';

export interface TlogVerifyOptions {
  /** Bundles v0.2+ need an inclusion proof with a checkpoint. */
  requireInclusionProof?: boolean;
  /** Bundles v0.1 need a signed entry timestamp. */
  requireSet?: boolean;
  now?: Date;
  /**
   * Verified RFC 3161 times of the bundle. An entry without an integrated time (Rekor v2) is dated by them: each
   * must fall within the log key's validity (without any, the log must be valid now).
   */
  signedTimes?: Date[];
}

export interface TlogVerification {
  /** Only when the log vouched for it with a SET (Rekor v2 has no integrated time). */
  integratedTime?: Date;
  logIndex: number;
  verifiedBy: 'set' | 'proof' | 'both';
  /** The canonicalized body, decoded: the caller matches it against the bundle. */
  body: Buffer;
}

/**
 * Verifies one transparency-log entry against the logs the caller trusts: the log is known, the SET (if any)
 * is the log's signature, the inclusion proof (if any) leads from the body to a root the log signed in its
 * checkpoint, and the integrated time is neither in the future nor outside the log key's validity. Pure: no I/O.
 * It does not look inside the body (the bundle verifier matches it against the signature and artifact).
 */
export function verifyTransparencyLogEntry(
  entry: TransparencyLogEntry,
  logs: TlogAuthority[],
  options: TlogVerifyOptions = {},
): TlogVerification {
  const logIndex = nonNegative(entry.logIndex, 'log index');
  const logId = Buffer.from(entry.logId?.keyId ?? '', 'base64');
  const log = logs.find((l) => l.logId.equals(logId));
  if (!log) throw verificationFailed(`the entry's log ${logId.toString('hex') || '(none)'} is not a trusted log`);
  const body = Buffer.from(entry.canonicalizedBody ?? '', 'base64');
  if (body.length === 0) throw verificationFailed('the entry has no body');
  const time = entry.integratedTime === undefined ? 0 : nonNegative(entry.integratedTime, 'integrated time');

  const promise = entry.inclusionPromise?.signedEntryTimestamp;
  if (promise) {
    const payload = setPayload(entry.canonicalizedBody, time, logId.toString('hex'), logIndex);
    if (!verifySet(payload, Buffer.from(promise, 'base64'), log.publicKey)) {
      throw verificationFailed('signed entry timestamp is not a valid signature by the log');
    }
  } else if (options.requireSet) {
    throw verificationFailed('the entry has no signed entry timestamp');
  }

  const proof = entry.inclusionProof;
  if (proof) {
    const checked = verifyEntryInclusion(body, proof);
    if (!proof.checkpoint?.envelope) {
      if (options.requireInclusionProof) throw verificationFailed('the inclusion proof has no checkpoint');
    } else {
      verifyCheckpoint(proof.checkpoint.envelope, log.publicKey, checked, log.baseUrl);
    }
  } else if (options.requireInclusionProof) {
    throw verificationFailed('the entry has no inclusion proof');
  }
  if (!promise && !proof)
    throw verificationFailed('the entry has neither an inclusion proof nor a signed entry timestamp');

  const verifiedBy = promise && proof ? 'both' : promise ? 'set' : 'proof';
  const result: TlogVerification = { logIndex, verifiedBy, body };
  const now = options.now ?? new Date();
  if (time > 0) {
    checkTime(new Date(time * 1000), 'integrated time', log, now);
    if (promise) result.integratedTime = new Date(time * 1000);
  } else if (options.signedTimes?.length) {
    for (const t of options.signedTimes) checkTime(t, 'signed timestamp', log, now);
  } else {
    checkTime(now, 'current time', log, now);
  }
  return result;
}

/** The time the log saw the entry must lie within the log key's `validFor` (a frozen or ended shard refuses). */
function checkTime(at: Date, what: string, log: TlogAuthority, now: Date): void {
  const t = at.getTime();
  if (t > now.getTime()) throw verificationFailed(`${what} is in the future`);
  const { start, end } = log.validFor;
  if (t < start.getTime() || (end && t > end.getTime())) {
    const window = `${start.toISOString()} to ${end ? end.toISOString() : 'open'}`;
    throw verificationFailed(`${what} ${at.toISOString()} is outside the validity of the log's key (${window})`);
  }
}

function nonNegative(s: string | undefined, what: string): number {
  const n = Number(s);
  if (typeof s !== 'string' || !/^\d+$/.test(s) || !Number.isSafeInteger(n)) {
    throw verificationFailed(`${what} is not a non-negative integer`);
  }
  return n;
}
export { verifyTreeConsistency, type TreeHead } from './tlog-consistency.js';
export { verifyCheckpoint } from './tlog-proof.js';
