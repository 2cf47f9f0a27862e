import type { FastifyRequest } from 'fastify';
import { SignetError } from '../errors.js';

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A hook for endpoints that act on a bearer token or mint one: the Host header must name this server (its public
 * URL's host, or a loopback name). A page on another site that rebinds its DNS name to this address sends its own
 * name as Host, so it cannot drive these endpoints from a victim's browser. 403 otherwise.
 *
 * @example
 *   app.post('/token', { onRequest: requireOwnHost(ctx.publicUrl) }, handler);
 */
export function requireOwnHost(publicUrl: string) {
  const expected = new URL(publicUrl).host.toLowerCase();
  return async function checkHost(request: FastifyRequest): Promise<void> {
    const host = (request.headers.host ?? '').toLowerCase();
    const name = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::[0-9]{1,5})?$/.exec(host)?.[1];
    if (host === expected || (name !== undefined && LOOPBACK.has(name))) return;
    throw new SignetError(
      'forbidden',
      `the Host header ${JSON.stringify(host.slice(0, 100))} does not name this server (${expected})`,
    );
  };
}
