import { SignetError, type ErrorCode } from '../errors.js';

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpOptions {
  fetch?: FetchLike;
  /** Per request; Rekor v1 blocks a POST until the entry is sequenced, so keep it generous. */
  timeoutMs?: number;
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * The one place that talks HTTP to a Rekor server: timeouts, transport failures and error bodies become one-line
 * SignetErrors naming the operation (`rekor rejected the entry (400): ...`).
 */
export class RekorHttp {
  readonly baseUrl: string;
  readonly #fetchFn: FetchLike;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, options: HttpOptions = {}) {
    let url: URL;
    try {
      url = new URL(baseUrl);
    } catch {
      throw new SignetError('invalid-input', `not a valid rekor url: ${baseUrl}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new SignetError('invalid-input', `rekor url must be http or https: ${baseUrl}`);
    }
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#fetchFn = options.fetch ?? fetch;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Sends one request; answers with any status (the caller decides which are errors). */
  async send(what: string, method: string, path: string, body?: unknown): Promise<HttpAnswer> {
    const init: RequestInit = { method, headers: { accept: 'application/json' }, redirect: 'manual' };
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers = { ...init.headers, 'content-type': 'application/json' };
    }
    init.signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      const res = await this.#fetchFn(this.baseUrl + path, init);
      return { status: res.status, headers: res.headers, text: await res.text() };
    } catch (e) {
      const err = e as Error;
      if (err.name === 'TimeoutError' || err.name === 'AbortError') {
        throw new SignetError('pushback', `${what}: no answer from ${this.baseUrl} within ${this.#timeoutMs} ms`);
      }
      const cause = (err.cause as Error | undefined)?.message ?? err.message;
      throw new SignetError('pushback', `${what}: cannot reach ${this.baseUrl}: ${cause}`, { cause: e });
    }
  }

  /** GET/POST expecting a 2xx JSON answer. */
  async json<T>(what: string, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.send(what, method, path, body);
    if (answer.status < 200 || answer.status > 299) throw statusError(what, answer);
    return parseJson<T>(what, answer);
  }
}

export function parseJson<T>(what: string, answer: HttpAnswer): T {
  try {
    return JSON.parse(answer.text) as T;
  } catch {
    const ct = answer.headers.get('content-type') ?? 'no content type';
    throw new SignetError('internal', `${what}: the server's answer is not JSON (${answer.status}, ${ct})`);
  }
}

/** A non-2xx answer as one line carrying Rekor's `{code, message}` when the body has one. */
export function statusError(what: string, answer: HttpAnswer): SignetError {
  let message = '';
  try {
    const body = JSON.parse(answer.text) as { message?: unknown };
    if (typeof body?.message === 'string') message = body.message;
  } catch {
    // Rekor's 404s have an empty body; other non-JSON bodies are summarized below.
  }
  if (!message) message = answer.status === 404 ? 'not found' : firstLine(answer.text) || 'no error message';
  const detail: Record<string, string> = { status: String(answer.status) };
  const location = answer.headers.get('location');
  if (location) detail.location = location;
  return new SignetError(codeFor(answer.status), `${what} (${answer.status}): ${message}`, { detail });
}

function codeFor(status: number): ErrorCode {
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status === 413) return 'too-large';
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'forbidden';
  if (status === 501) return 'unsupported';
  if (status === 503 || status === 504 || status === 429) return 'pushback';
  if (status >= 500) return 'internal';
  return 'invalid-input';
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 200 ? line.slice(0, 200) + '...' : line;
}
