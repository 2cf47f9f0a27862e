import { serializeSctList, sctToJson, type Sct } from '../../encoding/index.js';

export type { Sct };

/**
 * What the CA needs from a CT log: RFC 6962 `add-pre-chain` returning an SCT. The stack's in-process log
 * (src/ct `createCtLog`) and `remoteCtLog(url)` both satisfy it.
 */
export interface CtLog {
  addPreChain(chainDer: Buffer[]): Promise<Sct>;
  /**
   * Only a log in this process offers it (src/ct `createCtLog`): the CA's own precertificate with the TBS it
   * encoded (poison left out) and its chain, logged without the log verifying again the signature the CA has just
   * made with the key it holds. Same entry and same SCT as add-pre-chain; a remote log has only `addPreChain`.
   */
  addOwnPrecertificate?(p: { precertDer: Buffer; tbsDer: Buffer; caChainDer: Buffer[] }): Promise<Sct>;
}

/** The TLS `SignedCertificateTimestampList` the final certificate embeds (RFC 6962 3.3). */
export function encodeSctList(scts: Sct[]): Buffer {
  return serializeSctList(scts);
}

/** The JSON of ctfe's `AddChainResponse`, which Fulcio returns (base64) as a detached SCT. */
export function addChainResponseJson(sct: Sct): string {
  return JSON.stringify(sctToJson(sct));
}
