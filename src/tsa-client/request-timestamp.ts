import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignedData } from '@peculiar/asn1-cms';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { MessageImprint, PKIStatus, TimeStampReq, TimeStampResp, TSTInfo } from '@peculiar/asn1-tsp';
import { AlgorithmIdentifier } from '@peculiar/asn1-x509';
import { DIGEST_OIDS, type DigestName } from '../encoding/index.js';
import { SignetError } from '../errors.js';

export interface TimestampOptions {
  /** Imprint hash over the signature bytes; default sha256 (what cosign and sigstore-js send). */
  hashAlgorithm?: DigestName;
  /** Ask for the TSA certificate in the token (RFC 3161 certReq); default false, as Sigstore clients do. */
  certReq?: boolean;
  fetch?: (input: string, init?: RequestInit) => Promise<Response>;
  /** Per attempt; default 10 s. */
  timeoutMs?: number;
  /** Extra attempts after a network error, 429 or 5xx; default 2 (sigstore-js's default). */
  retries?: number;
  /** First back-off delay, doubled each time; default 500 ms. */
  retryDelayMs?: number;
}

/** cosign and sigstore-go read at most this much of a timestamp reply. */
const MAX_REPLY_BYTES = 1024 * 1024;
const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/**
 * Countersigns a signature with an RFC 3161 timestamp authority, as cosign v3 and sigstore-js do: POSTs a DER
 * TimeStampReq over the hash of `signature` (with a random nonce) and returns the DER TimeStampResp, which is what
 * a bundle stores in `verificationMaterial.timestampVerificationData.rfc3161Timestamps[].signedTimestamp`.
 * The reply must be granted and its TSTInfo must carry this imprint and nonce; the token's signature and chain are
 * the verifier's business (src/verify), against the trusted root.
 *
 * `url` is the full endpoint (a signing config's `tsaUrls[].url`, cosign's `--timestamp-server-url`); a bare
 * origin gets `/api/v1/timestamp` appended, as sigstore-js does.
 *
 * @example
 *   const signedTimestamp = await requestTimestamp('http://127.0.0.1:3000/api/v1/timestamp', signature);
 */
export async function requestTimestamp(
  url: string,
  signature: Uint8Array,
  options: TimestampOptions = {},
): Promise<Buffer> {
  const endpoint = timestampEndpoint(url);
  const hash = options.hashAlgorithm ?? 'sha256';
  const digest = createHash(hash).update(signature).digest();
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0]! & 0x7f) | 0x01; // positive, no leading zero: the INTEGER keeps these 8 bytes
  const query = new TimeStampReq({
    version: 1,
    messageImprint: new MessageImprint({
      hashAlgorithm: new AlgorithmIdentifier({ algorithm: DIGEST_OIDS[hash] }),
      hashedMessage: new OctetString(digest),
    }),
    nonce: toArrayBuffer(nonce),
    certReq: options.certReq ?? false,
  });
  const body = Buffer.from(AsnConvert.serialize(query));
  const reply = await postWithRetries(endpoint, body, options);
  checkReply(reply, digest, DIGEST_OIDS[hash], nonce);
  return reply;
}

/** The timestamp URL for a configured one: a bare origin means timestamp-authority's default path. */
export function timestampEndpoint(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new SignetError('invalid-input', `the timestamp server URL ${JSON.stringify(url)} is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new SignetError('invalid-input', `the timestamp server URL ${url} must be http or https`);
  }
  if (parsed.pathname === '/' || parsed.pathname === '') parsed.pathname = '/api/v1/timestamp';
  return parsed.toString();
}

async function postWithRetries(url: string, body: Buffer, options: TimestampOptions): Promise<Buffer> {
  const retries = options.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      return await postOnce(url, body, options);
    } catch (e) {
      if (attempt >= retries || !(e instanceof SignetError) || e.code !== 'pushback') throw e;
      await sleep((options.retryDelayMs ?? 500) * 2 ** attempt);
    }
  }
}

async function postOnce(url: string, body: Buffer, options: TimestampOptions): Promise<Buffer> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const err = e as Error;
    const why =
      err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : ((err.cause as Error)?.message ?? err.message);
    throw new SignetError('pushback', `timestamp authority: cannot reach ${url}: ${why}`, { cause: e });
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200 && res.status !== 201) {
    const code = RETRYABLE.has(res.status) ? 'pushback' : 'invalid-input';
    throw new SignetError(code, `timestamp authority answered ${res.status}${serverMessage(bytes)}`, {
      detail: { status: String(res.status) },
    });
  }
  if (bytes.length > MAX_REPLY_BYTES) throw new SignetError('invalid-input', 'timestamp reply is larger than 1 MiB');
  return bytes;
}

function checkReply(der: Buffer, digest: Buffer, hashOid: string, nonce: Buffer): void {
  let info: TSTInfo;
  try {
    const resp = AsnConvert.parse(der, TimeStampResp);
    const status = resp.status.status;
    if (status !== PKIStatus.granted && status !== PKIStatus.grantedWithMods) {
      const text = resp.status.statusString?.join(' ') ?? '';
      throw new SignetError(
        'verification-failed',
        `timestamp authority refused the request (status ${status}) ${text}`,
      );
    }
    if (!resp.timeStampToken) throw new Error('granted reply without a token');
    const signed = AsnConvert.parse(resp.timeStampToken.content, SignedData);
    const content = signed.encapContentInfo.eContent?.single;
    if (!content) throw new Error('token without TSTInfo');
    info = AsnConvert.parse(content.buffer, TSTInfo);
  } catch (e) {
    if (e instanceof SignetError) throw e;
    throw new SignetError('verification-failed', 'the timestamp reply is not an RFC 3161 TimeStampResp', { cause: e });
  }
  const imprint = info.messageImprint;
  if (imprint.hashAlgorithm.algorithm !== hashOid || !Buffer.from(imprint.hashedMessage.buffer).equals(digest)) {
    throw new SignetError('verification-failed', 'the timestamp is over another message than the signature');
  }
  if (!info.nonce || !Buffer.from(info.nonce).equals(nonce)) {
    throw new SignetError('verification-failed', 'the timestamp reply does not echo the request nonce');
  }
}

function serverMessage(bytes: Buffer): string {
  try {
    const m = (JSON.parse(bytes.toString('utf8')) as { message?: unknown }).message;
    return typeof m === 'string' && m ? `: ${m.split('\n')[0]!.slice(0, 300)}` : '';
  } catch {
    return '';
  }
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}
