import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SignetError } from '../errors.js';
import { toWireError } from '../http/index.js';

/** gRPC status codes Fulcio's grpc-gateway puts in the body's `code`. */
const GRPC = {
  invalidArgument: 3,
  notFound: 5,
  permissionDenied: 7,
  resourceExhausted: 8,
  internal: 13,
  unavailable: 14,
} as const;

/**
 * Fulcio's error body `{code: <grpc code>, message, details: []}` with grpc-gateway's status: every client-side
 * problem (token, key, proof, CSR) is InvalidArgument/400 as in Fulcio, but the message says which check failed.
 * A CT failure is Internal/500 "error entering certificate in CTL"; pushback with a retry hint (overload, a full
 * disk) is Unavailable/503 with Retry-After; other 5xx carry no internal detail.
 */
export function fulcioErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const { status, code, message } = fulcioError(error);
  // A 5xx is logged once by the server's response hook (src/http/observe.ts).
  if (status < 500) request.log.warn({ reason: message }, 'certificate request refused');
  if (status === 503) void reply.header('retry-after', retryAfterOf(error));
  return reply.code(status).send({ code, message, details: [] });
}

export function fulcioError(error: unknown): { status: number; code: number; message: string } {
  if (error instanceof SignetError) {
    switch (error.code) {
      case 'not-found':
        return { status: 404, code: GRPC.notFound, message: error.message };
      case 'forbidden':
        return { status: 403, code: GRPC.permissionDenied, message: error.message };
      case 'too-large':
        return { status: 413, code: GRPC.resourceExhausted, message: error.message };
      case 'pushback':
        // Retry later (overload, a full disk): Unavailable, as grpc-gateway maps it. A CT log failure without a
        // retry hint stays Fulcio's Internal "error entering certificate in CTL".
        if (error.detail.retryAfter) return { status: 503, code: GRPC.unavailable, message: error.message };
        return { status: 500, code: GRPC.internal, message: error.message };
      case 'internal':
        return { status: 500, code: GRPC.internal, message: 'internal error' };
      default:
        return { status: 400, code: GRPC.invalidArgument, message: error.message };
    }
  }
  const wire = toWireError(error as FastifyError);
  if (wire.status === 503) return { status: 503, code: GRPC.unavailable, message: wire.message };
  if (wire.status === 413) return { status: 413, code: GRPC.resourceExhausted, message: wire.message };
  if (wire.status < 500) return { status: wire.status, code: GRPC.invalidArgument, message: wire.message };
  return { status: 500, code: GRPC.internal, message: 'internal error' };
}

function retryAfterOf(error: unknown): string {
  return error instanceof SignetError ? (error.detail.retryAfter ?? '1') : '1';
}
