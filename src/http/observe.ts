import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Metrics } from '../metrics/index.js';

/**
 * Counts and times every request by route pattern (never the raw URL, which may carry codes or tokens), and logs
 * each 5xx as one line with its route and error, whichever service or hook produced it.
 */
export function observeRequests(app: FastifyInstance, metrics: Metrics): void {
  const errors = new WeakMap<FastifyRequest, unknown>();
  // Callback-style hooks: an async hook costs a promise and a microtask turn on every request.
  app.addHook('onError', (request, _reply, error, done) => {
    errors.set(request, error);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    metrics.http.requests.inc(labels);
    metrics.http.duration.observe(labels, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) {
      const error = errors.get(request);
      request.log.error(
        { method: request.method, route, status: reply.statusCode, ...(error ? { err: error } : {}) },
        'request failed',
      );
    }
    done();
  });
}

/** `GET /metrics`: the process's registry in Prometheus' text format. */
export function metricsRoute(app: FastifyInstance, metrics: Metrics): void {
  app.get('/metrics', async (_request, reply) =>
    reply
      .type(metrics.registry.contentType)
      .header('cache-control', 'no-store')
      .send(await metrics.registry.metrics()),
  );
}
