/** The HTTP edge shared by every service: the Service contract and the one mapping of errors to the wire. */
export { toWireError, rekorErrorHandler, type WireError } from './errors.js';
export type { Service, ServiceContext } from './service.js';
