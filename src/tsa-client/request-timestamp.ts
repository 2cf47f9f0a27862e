import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DIGEST_OIDS,
  TAG,
  derChildren,
  derValue,
  encodeOid,
  encodeTlv,
  expectTag,
  parseDer,
  timestampTokenContent,
  tstInfoFields,
  type DigestName,
} from '../encoding/index.js';
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
  const body = timeStampReq(DIGEST_OIDS[hash], digest, nonce, options.certReq ?? false);
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

/**
 * RFC 3161 `TimeStampReq ::= SEQUENCE { version INTEGER (1), messageImprint SEQUENCE { hashAlgorithm
 * AlgorithmIdentifier (no parameters), hashedMessage OCTET STRING }, nonce INTEGER, certReq BOOLEAN DEFAULT FALSE }`
 * in DER (a false certReq is left out). The 8-byte nonce is positive with no leading zero, so it is its own content.
 */
export function timeStampReq(hashOid: string, digest: Buffer, nonce: Buffer, certReq: boolean): Buffer {
  const seq = (...parts: Buffer[]) => encodeTlv(TAG.sequence, Buffer.concat(parts));
  return seq(
    encodeTlv(TAG.integer, Buffer.from([1])),
    seq(seq(encodeOid(hashOid)), encodeTlv(TAG.octetString, digest)),
    encodeTlv(TAG.integer, nonce),
    ...(certReq ? [encodeTlv(TAG.boolean, Buffer.from([0xff]))] : []),
  );
}

/**
 * The reply must be granted (status 0 or 1) and its TSTInfo must carry this imprint and nonce. Walks `TimeStampResp
 * { PKIStatusInfo { status, statusString? }, ContentInfo { signedData, [0] SignedData { version, digestAlgorithms,
 * encapContentInfo { tstInfo, [0] OCTET STRING TSTInfo }, ... } } }` and `TSTInfo { version, policy,
 * messageImprint, serialNumber, genTime, accuracy?, ordering?, nonce?, ... }`.
 */
function checkReply(der: Buffer, digest: Buffer, hashOid: string, nonce: Buffer): void {
  let tst: ReturnType<typeof tstInfoFields>;
  try {
    const [status, token] = derChildren(expectTag(parseDer(der, 'timestamp reply'), TAG.sequence, 'reply'));
    const [code, text] = derChildren(expectTag(status, TAG.sequence, 'status'));
    const value = derValue(expectTag(code, TAG.integer, 'status'));
    if (value.length !== 1 || value[0]! > 1) {
      const words = text?.tag === TAG.sequence ? derChildren(text).map((t) => derValue(t).toString('utf8')) : [];
      throw new SignetError(
        'verification-failed',
        `timestamp authority refused the request (status ${value.length === 1 ? value[0]! : '?'}) ${words.join(' ')}`,
      );
    }
    tst = tstInfoFields(timestampTokenContent(expectTag(token, TAG.sequence, 'token')).tstInfo);
  } catch (e) {
    if (e instanceof SignetError && e.code === 'verification-failed') throw e;
    throw new SignetError('verification-failed', 'the timestamp reply is not an RFC 3161 TimeStampResp', { cause: e });
  }
  if (tst.imprintOid !== hashOid || !tst.imprint.equals(digest)) {
    throw new SignetError('verification-failed', 'the timestamp is over another message than the signature');
  }
  if (!tst.nonce?.equals(nonce)) {
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
