import { setTimeout as sleep } from 'node:timers/promises';
import { SignetError } from '../errors.js';
import { nodeFetch } from '../http-client/index.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/**
 * POSTs JSON to one of the signing services and returns the parsed answer. Every failure is one line naming the
 * service, the status and the server's message (Fulcio and Rekor both answer `{code, message}`).
 */
export interface PostOptions {
  headers?: Record<string, string>;
  fetch?: FetchLike;
  timeoutMs?: number;
  /** Extra attempts after a 429 or 5xx answer (cosign and sigstore-js retry these); default 2. */
  retries?: number;
  /** First back-off delay, doubled each time; default 1000 ms. */
  retryDelayMs?: number;
}

/** Statuses worth another try: overload and server-side failures. */
export const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

export async function postJson(
  service: string,
  url: string,
  body: unknown,
  options: PostOptions = {},
): Promise<{ status: number; json: unknown }> {
  const retries = options.retries ?? 2;
  for (let attempt = 0; ; attempt++) {
    try {
      return await postOnce(service, url, body, options);
    } catch (e) {
      const status = e instanceof SignetError ? Number(e.detail.status) : NaN;
      if (attempt >= retries || !RETRYABLE_STATUS.has(status)) throw e;
      await sleep((options.retryDelayMs ?? 1000) * 2 ** attempt);
    }
  }
}

async function postOnce(
  service: string,
  url: string,
  body: unknown,
  options: PostOptions,
): Promise<{ status: number; json: unknown }> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let res: Response;
  try {
    res = await (options.fetch ?? nodeFetch)(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...options.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const err = e as Error;
    if (err.name === 'TimeoutError' || err.name === 'AbortError') {
      throw new SignetError('pushback', `${service}: no answer from ${url} within ${timeoutMs} ms`, { cause: e });
    }
    const why = (err.cause as Error | undefined)?.message ?? err.message;
    throw new SignetError('pushback', `${service}: cannot reach ${url}: ${why}`, { cause: e });
  }
  const text = await res.text();
  if (res.status < 200 || res.status > 299) throw httpError(service, res.status, text);
  try {
    return { status: res.status, json: JSON.parse(text) };
  } catch {
    throw new SignetError('internal', `${service}: the answer from ${url} is not JSON (${res.status})`);
  }
}

/** A non-2xx answer as one SignetError line: `fulcio: 401 Unauthorized: <message>`. */
export function httpError(service: string, status: number, text: string): SignetError {
  let message = text.trim().split('\n')[0]!.slice(0, 300);
  try {
    const j = JSON.parse(text) as { message?: unknown; error?: unknown; error_description?: unknown };
    const m = j.message ?? j.error_description ?? j.error;
    if (typeof m === 'string' && m) message = m.split('\n')[0]!;
  } catch {
    // not JSON: keep the first line of the text
  }
  const code =
    status === 401
      ? 'unauthenticated'
      : status === 403
        ? 'forbidden'
        : status >= 500 || status === 429
          ? 'pushback'
          : 'invalid-input';
  return new SignetError(code, `${service} answered ${status}${message ? `: ${message}` : ''}`, {
    detail: { status: String(status) },
  });
}
