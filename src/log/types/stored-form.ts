import { canonicalBody } from './admitted-entry.js';
import { isObject } from './spec-input.js';

/**
 * An intoto or dsse entry given as the log stores it (what `GET /entries` returns: hashes and signatures, no
 * envelope to verify) is its own canonical form: Rekor's Unmarshal accepts it without verification and
 * Canonicalize gives back the same bytes, so `entries/retrieve` finds it. Returns that body, or undefined when the
 * entry is a proposal to verify first.
 */
export function storedFormBody(proposed: unknown): Buffer | undefined {
  if (!isObject(proposed) || typeof proposed.apiVersion !== 'string' || !isObject(proposed.spec)) return undefined;
  const { kind, apiVersion, spec } = proposed;
  const content = isObject(spec.content) ? spec.content : undefined;
  const stored =
    (kind === 'dsse' && spec.proposedContent === undefined && Array.isArray(spec.signatures)) ||
    (kind === 'intoto' && apiVersion === '0.0.2' && isObject(content?.envelope) && !content.envelope.payload) ||
    (kind === 'intoto' && apiVersion === '0.0.1' && content !== undefined && content.envelope === undefined);
  return stored ? canonicalBody(kind, apiVersion, spec) : undefined;
}
