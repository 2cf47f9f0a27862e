import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SignetError } from '../errors.js';
import { toWireError } from '../http/index.js';

/** gRPC status codes Fulcio's grpc-gateway puts in the body's `code`. */
const GRPC = { invalidArgument: 3, notFound: 5, resourceExhausted: 8, internal: 13, unavailable: 14 } as const;

/**
 * Fulcio's error body `{code: <grpc code>, message, details: []}` with grpc-gateway's status: every client-side
 * problem (token, key, proof, CSR) is InvalidArgument/400 as in Fulcio, but the message says which check failed.
 * A CT failure is Internal/500 "error entering certificate in CTL"; other 5xx carry no internal detail.
 */
export function fulcioErrorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply) {
  const { status, code, message } = fulcioError(error);
  if (status >= 500) request.log.error({ err: error }, 'certificate request failed');
  else request.log.warn({ reason: message }, 'certificate request refused');
  return reply.code(status).send({ code, message, details: [] });
}

export function fulcioError(error: unknown): { status: number; code: number; message: string } {
  if (error instanceof SignetError) {
    switch (error.code) {
      case 'not-found':
        return { status: 404, code: GRPC.notFound, message: error.message };
      case 'too-large':
        return { status: 413, code: GRPC.resourceExhausted, message: error.message };
      case 'pushback':
        return { status: 500, code: GRPC.internal, message: error.message };
      case 'internal':
        return { status: 500, code: GRPC.internal, message: 'internal error' };
      default:
        return { status: 400, code: GRPC.invalidArgument, message: error.message };
    }
  }
  const wire = toWireError(error as FastifyError);
  if (wire.status === 413) return { status: 413, code: GRPC.resourceExhausted, message: wire.message };
  if (wire.status < 500) return { status: wire.status, code: GRPC.invalidArgument, message: wire.message };
  return { status: 500, code: GRPC.internal, message: 'internal error' };
}
