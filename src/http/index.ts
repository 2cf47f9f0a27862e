/** The HTTP edge shared by every service: the Service contract, the one mapping of errors to the wire, body limits and request observation. */
export { toWireError, rekorErrorHandler, type WireError } from './errors.js';
export { closeAll, closeServices, type Service, type ServiceContext } from './service.js';
export {
  addJsonBodyParser,
  parseJsonBody,
  parseJsonRequestBody,
  jsonDepthExceeds,
  MAX_JSON_DEPTH,
} from './json-body.js';
export { limitInflightBodies, DEFAULT_INFLIGHT_BODY_BYTES } from './body-budget.js';
export { observeRequests, metricsRoute } from './observe.js';
export { requireOwnHost } from './host-check.js';
