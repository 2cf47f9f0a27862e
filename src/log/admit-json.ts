import { parseJsonRequestBody } from '../http/index.js';
import { asBuffer } from '../workers/index.js';
import { checkProposedEntry } from './http/params.js';
import { admitEntry, type AdmittedEntry } from './types/index.js';

/**
 * A proposed entry as the bytes of a request body, taken as Rekor's API takes it: JSON parsed as every JSON route
 * parses it (depth cap, fastify's checks and messages), go-openapi's binding (422), then the type's verification
 * (400). One function, so the worker threads that admit uploads do all of it off the event loop.
 */
export function admitProposedJson(body: Uint8Array): Promise<AdmittedEntry> {
  const proposed = parseJsonRequestBody(asBuffer(body));
  checkProposedEntry(proposed);
  return admitEntry(proposed);
}
