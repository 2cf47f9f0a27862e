import { Transform } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, RequestPayload } from 'fastify';
import { SignetError } from '../errors.js';
import type { Metrics } from '../metrics/index.js';

/** Default in-flight body budget: two bodies at the log's 32 MiB limit. */
export const DEFAULT_INFLIGHT_BODY_BYTES = 64 * 1024 * 1024;

const busy = () =>
  new SignetError('pushback', 'the server is busy with other large requests: retry later', {
    detail: { retryAfter: '2' },
  });

/**
 * One budget of request body bytes shared by every request in flight, so many concurrent large bodies cannot grow
 * the process without bound (the parsed copies of a body cost a few times its size). A body declared with
 * Content-Length reserves its size before a byte is read; a chunked one reserves as it arrives. Over budget: 503 +
 * Retry-After; a body larger than the whole budget can never fit: 413. Bytes are released when the response ends.
 */
export function limitInflightBodies(app: FastifyInstance, maxBytes: number, metrics: Metrics): void {
  let used = 0;
  // A callback-style hook: an async one costs a promise and a microtask turn on every request.
  app.addHook('preParsing', (request, reply, payload, done) => {
    let out: typeof payload;
    try {
      out = reserve(request, reply, payload);
    } catch (e) {
      done(e as Error);
      return;
    }
    done(null, out);
  });

  function reserve(request: FastifyRequest, reply: FastifyReply, payload: RequestPayload): RequestPayload {
    const declared = request.headers['content-length'];
    const chunked = request.headers['transfer-encoding'] !== undefined;
    if (declared === undefined && !chunked) return payload;
    const length = declared === undefined ? 0 : Number(declared);
    // Over the route's own limit: fastify answers 413 without reading the body.
    if (length > (request.routeOptions.bodyLimit ?? Infinity)) return payload;
    if (length > maxBytes) throw new SignetError('too-large', `request body is larger than ${maxBytes} bytes`);
    let held = 0;
    const take = (n: number): boolean => {
      if (used + n > maxBytes) {
        metrics.http.bodyBudgetRejections.inc();
        return false;
      }
      used += n;
      held += n;
      metrics.http.inflightBodyBytes.set(used);
      return true;
    };
    reply.raw.once('close', () => {
      used -= held;
      held = 0;
      metrics.http.inflightBodyBytes.set(used);
    });
    if (!chunked) {
      if (!take(length)) throw busy();
      return payload;
    }
    let received = 0;
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        (counted as unknown as { receivedEncodedLength: number }).receivedEncodedLength = received;
        if (take(chunk.length)) callback(null, chunk);
        else callback(busy());
      },
    });
    return payload.pipe(counted);
  }
}
