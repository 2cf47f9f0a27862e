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
  // Written directly, as the canonical form of these four fields always is: keys already in order, base64 and a
  // hex log ID need no escaping, and safe integers print as JSON.stringify prints them. One per entry, on the
  // admission threads; the generic canonicalizer below is for anything else.
  if (Number.isSafeInteger(e.integratedTime) && Number.isSafeInteger(e.logIndex) && HEX.test(logId)) {
    return Buffer.from(
      `{"body":"${e.body.toString('base64')}","integratedTime":${e.integratedTime},"logID":"${logId}",` +
        `"logIndex":${e.logIndex}}`,
      'latin1',
    );
  }
  const payload = {
    body: e.body.toString('base64'),
    integratedTime: e.integratedTime,
    logID: logId,
    logIndex: e.logIndex,
  };
  return Buffer.from(canonicalJson(payload), 'utf8');
}

const HEX = /^[0-9a-f]*$/;

export function signEntryTimestamp(identity: LogIdentity, e: SetPayloadFields): Buffer {
  return signMessage(identity, setPayload(identity.logId, e));
}
