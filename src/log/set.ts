import { canonicalJson } from '../encoding/index.js';
import { signMessage, type LogIdentity } from './identity.js';

/** The four fields a SignedEntryTimestamp covers (Rekor's `LogEntryAnon` before verification is attached). */
export interface SetPayloadFields {
  body: Buffer;
  integratedTime: number;
  logIndex: number;
}

/**
 * The SignedEntryTimestamp: the log's signature over RFC 8785 `{body, integratedTime, logID, logIndex}` with body in
 * standard base64 and logID in hex, exactly the bytes Rekor's clients rebuild to verify it.
 */
export function setPayload(logId: string, e: SetPayloadFields): Buffer {
  const payload = {
    body: e.body.toString('base64'),
    integratedTime: e.integratedTime,
    logID: logId,
    logIndex: e.logIndex,
  };
  return Buffer.from(canonicalJson(payload), 'utf8');
}

export function signEntryTimestamp(identity: LogIdentity, e: SetPayloadFields): Buffer {
  return signMessage(identity, setPayload(identity.logId, e));
}
