/**
 * A Signed Certificate Timestamp (RFC 6962 3.2) as the CT log returns it. `hashAlg`/`sigAlg` are the TLS
 * HashAlgorithm/SignatureAlgorithm codes (4 = sha256; 3 = ecdsa, 1 = rsa).
 */
export interface Sct {
  version: number;
  logId: Buffer;
  timestamp: bigint | number;
  extensions: Buffer;
  signature: { hashAlg: number; sigAlg: number; signature: Buffer };
}

/** The CT log the CA submits precertificates to (in process, or a remote RFC 6962 log). */
export interface CtLog {
  addPreChain(chainDer: Buffer[]): Promise<Sct>;
}

/** TLS encoding of one SCT: version, log id, u64 timestamp, u16-prefixed extensions, DigitallySigned. */
export function encodeSct(sct: Sct): Buffer {
  const head = Buffer.alloc(1 + 32 + 8);
  head[0] = sct.version;
  sct.logId.copy(head, 1, 0, 32);
  head.writeBigUInt64BE(BigInt(sct.timestamp), 33);
  return Buffer.concat([head, u16Prefixed(sct.extensions), encodeDigitallySigned(sct)]);
}

/** TLS `DigitallySigned`: u8 hash, u8 signature algorithm, u16-prefixed signature. */
export function encodeDigitallySigned(sct: Sct): Buffer {
  return Buffer.concat([
    Buffer.from([sct.signature.hashAlg, sct.signature.sigAlg]),
    u16Prefixed(sct.signature.signature),
  ]);
}

/** `SignedCertificateTimestampList`: a u16-prefixed list of u16-prefixed SCTs (RFC 6962 3.3). */
export function encodeSctList(scts: Sct[]): Buffer {
  return u16Prefixed(Buffer.concat(scts.map((s) => u16Prefixed(encodeSct(s)))));
}

/** The JSON of ctfe's `AddChainResponse`, which Fulcio returns (base64) as a detached SCT. */
export function addChainResponseJson(sct: Sct): string {
  return JSON.stringify({
    sct_version: sct.version,
    id: sct.logId.toString('base64'),
    timestamp: Number(sct.timestamp),
    extensions: sct.extensions.toString('base64'),
    signature: encodeDigitallySigned(sct).toString('base64'),
  });
}

function u16Prefixed(b: Buffer): Buffer {
  if (b.length > 0xffff) throw new Error('TLS vector too long');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}
