import { SignetError } from '../errors.js';
import type { CtLog, Sct } from './certificate/sct-list.js';

const CT_TIMEOUT_MS = 30_000;

/** A remote RFC 6962 log (`--ct-log-url`): `POST <url>/ct/v1/add-pre-chain` with `{"chain": [base64 DER...]}`. */
export function remoteCtLog(baseUrl: string): CtLog {
  const url = `${baseUrl.replace(/\/$/, '')}/ct/v1/add-pre-chain`;
  return {
    async addPreChain(chainDer: Buffer[]): Promise<Sct> {
      let body: Record<string, unknown>;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ chain: chainDer.map((d) => d.toString('base64')) }),
          signal: AbortSignal.timeout(CT_TIMEOUT_MS),
        });
        if (res.status !== 200) throw new Error(`the CT log answered ${res.status}`);
        body = (await res.json()) as Record<string, unknown>;
      } catch (e) {
        throw new SignetError('pushback', 'error entering certificate in CTL', { cause: e });
      }
      return parseAddChainResponse(body);
    },
  };
}

/** Parses ctfe's AddChainResponse JSON into an SCT. */
export function parseAddChainResponse(body: Record<string, unknown>): Sct {
  const sig = Buffer.from(String(body.signature ?? ''), 'base64');
  const logId = Buffer.from(String(body.id ?? ''), 'base64');
  if (logId.length !== 32 || sig.length < 4 || typeof body.timestamp !== 'number') {
    throw new SignetError('pushback', 'error entering certificate in CTL: malformed SCT from the CT log');
  }
  if (body.sct_version !== undefined && body.sct_version !== 0) {
    throw new SignetError(
      'pushback',
      'error entering certificate in CTL: the CT log returned an SCT version other than v1',
    );
  }
  return {
    version: 0,
    logId,
    timestamp: body.timestamp,
    extensions: Buffer.from(String(body.extensions ?? ''), 'base64'),
    // DigitallySigned: u8 hash, u8 signature algorithm, u16-prefixed signature.
    signature: {
      hashAlgorithm: sig[0]!,
      signatureAlgorithm: sig[1]!,
      signature: sig.subarray(4, 4 + sig.readUInt16BE(2)),
    },
  };
}
