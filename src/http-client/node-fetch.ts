import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The fetch signature the clients take (sign's and oidc's FetchLike have the same shape). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** fetch's limit on redirects. */
const MAX_REDIRECTS = 20;

/**
 * The part of a fetch Response the signing clients read (status, headers, body as text, JSON or bytes), over a body
 * already received in full.
 */
class BufferedResponse {
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null; has(name: string): boolean };
  readonly #body: Buffer;
  constructor(
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    raw: IncomingMessage['headers'],
    body: Buffer,
  ) {
    this.#body = body;
    this.ok = status >= 200 && status <= 299;
    this.headers = {
      get: (name) => {
        const v = raw[name.toLowerCase()];
        return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
      },
      has: (name) => raw[name.toLowerCase()] !== undefined,
    };
  }
  async text(): Promise<string> {
    return this.#body.toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.#body.toString('utf8'));
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    return this.#body.buffer.slice(this.#body.byteOffset, this.#body.byteOffset + this.#body.byteLength) as ArrayBuffer;
  }
}

/**
 * A fetch for the clients' small JSON, form and DER exchanges (signing, `signet oidc token`), over node:http(s). Node's own fetch loads and
 * compiles undici (its JavaScript and the llhttp WebAssembly) on first use, which costs a short-lived CLI process
 * about twice Node's own start; node:http is already in memory. It keeps fetch's behaviour where the clients rely
 * on it: redirects followed (303, and 301/302 after a POST, turn into a GET), `signal` aborts with the signal's
 * reason (a TimeoutError from AbortSignal.timeout), a network failure rejects with TypeError('fetch failed') whose
 * cause says why. The body is read in full; string, Buffer and Uint8Array request bodies only.
 */
export const nodeFetch: FetchLike = (input, init = {}) => send(input, init, 0) as unknown as Promise<Response>;

function send(url: string, init: RequestInit, redirects: number): Promise<BufferedResponse> {
  return new Promise((resolve, reject) => {
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return reject(signal.reason);
    let target: URL;
    try {
      target = new URL(url);
    } catch (e) {
      return reject(new TypeError(`invalid URL: ${url}`, { cause: e }));
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      return reject(new TypeError('fetch failed', { cause: new Error(`unsupported protocol ${target.protocol}`) }));
    }
    const body = init.body;
    if (body != null && typeof body !== 'string' && !(body instanceof Uint8Array)) {
      return reject(new TypeError('nodeFetch sends string, Buffer or Uint8Array bodies only'));
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries((init.headers ?? {}) as Record<string, string>)) headers[k.toLowerCase()] = v;
    if (body != null) headers['content-length'] = String(Buffer.byteLength(body));
    const method = (init.method ?? 'GET').toUpperCase();
    const req = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, { method, headers });
    const onAbort = () => req.destroy(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => signal?.removeEventListener('abort', onAbort);
    req.on('error', (e) => {
      done();
      reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: e }));
    });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if ([301, 302, 303, 307, 308].includes(status) && location && init.redirect !== 'manual') {
        res.resume();
        done();
        if (init.redirect === 'error' || redirects >= MAX_REDIRECTS) {
          return reject(new TypeError('fetch failed', { cause: new Error(`redirect to ${location} not followed`) }));
        }
        const toGet = status === 303 || ((status === 301 || status === 302) && method === 'POST');
        const next: RequestInit = toGet
          ? { ...init, method: 'GET', body: undefined, headers: withoutBody(headers) }
          : init;
        return resolve(send(new URL(location, target).href, next, redirects + 1));
      }
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (e) => {
        done();
        reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: e }));
      });
      res.on('end', () => {
        done();
        resolve(new BufferedResponse(target.href, status, res.statusMessage ?? '', res.headers, Buffer.concat(chunks)));
      });
      res.on('close', () => {
        if (res.complete) return;
        done();
        reject(
          signal?.aborted
            ? signal.reason
            : new TypeError('fetch failed', { cause: new Error('the answer ended early') }),
        );
      });
    });
    req.end(body ?? undefined);
  });
}

/** The request headers without those that describe a body (fetch drops them when a redirect turns into a GET). */
function withoutBody(headers: Record<string, string>): Record<string, string> {
  const { 'content-type': _type, 'content-length': _length, ...rest } = headers;
  return rest;
}
