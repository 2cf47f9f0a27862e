import type { Sct } from '../../ct/index.js';

export type { Sct };

/**
 * What the CA needs from a CT log: RFC 6962 `add-pre-chain` returning an SCT. The stack's in-process log
 * (src/ct `createCtLog`) and `remoteCtLog(url)` both satisfy it.
 */
export interface CtLog {
  addPreChain(chainDer: Buffer[]): Promise<Sct>;
}

/**
 * The TLS `SignedCertificateTimestampList` the final certificate embeds (RFC 6962 3.3), serialized by src/ct.
 * Loaded on first use so a CA without a CT log does not load the CT log's storage code.
 */
export async function encodeSctList(scts: Sct[]): Promise<Buffer> {
  const { serializeSctList } = await import('../../ct/index.js');
  return serializeSctList(scts);
}

/** The JSON of ctfe's `AddChainResponse`, which Fulcio returns (base64) as a detached SCT. */
export async function addChainResponseJson(sct: Sct): Promise<string> {
  const { sctToJson } = await import('../../ct/index.js');
  return JSON.stringify(sctToJson(sct));
}
