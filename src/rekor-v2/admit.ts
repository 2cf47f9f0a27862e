import { canonicalJson } from '../encoding/index.js';
import { invalidInput, SignetError } from '../errors.js';
import { dsseV002Spec } from './dsse.js';
import { hashedRekordV002Spec } from './hashedrekord.js';
import { v2SpecIndexKeys, type V2EntrySpec } from './index-keys.js';
import { oneOf, readMessage } from './proto-json.js';

/** An entry for the Rekor v2 log: its kind and version and the canonical body that becomes the Merkle leaf. */
export interface AdmittedV2Entry {
  kind: 'hashedrekord' | 'dsse';
  version: '0.0.2';
  body: Buffer;
  /** Search keys for the explorer (`v2IndexKeys`), computed here so the admission threads bear their cost. */
  indexKeys: string[];
}

/**
 * The largest entry: a tlog-tiles entry bundle prefixes each entry with a 16-bit length (Tessera's
 * `DefaultEntrySizeLimit`, 65535 bytes).
 */
export const MAX_ENTRY_BYTES = 0xffff;

/**
 * Verifies a `CreateEntryRequest` (JSON of rekor-tiles' protobuf message) and canonicalizes it as rekor-tiles does:
 * RFC 8785 over the protojson of `Entry{kind, apiVersion, spec}`. Throws invalid-input (400) for anything
 * malformed or unverifiable, too-large (413) for an entry that would not fit an entry bundle.
 */
export function admitV2Request(request: unknown): AdmittedV2Entry {
  const msg = readMessage(request, 'request', {
    hashedRekordRequestV002: 'hashed_rekord_request_v002',
    dsseRequestV002: 'dsse_request_v002',
  });
  const which = oneOf(msg, 'request', ['hashedRekordRequestV002', 'dsseRequestV002']);
  let entry: { kind: AdmittedV2Entry['kind']; spec: unknown };
  try {
    entry =
      which === 'hashedRekordRequestV002'
        ? { kind: 'hashedrekord', spec: hashedRekordV002Spec(msg[which]) }
        : { kind: 'dsse', spec: dsseV002Spec(msg[which]) };
  } catch (e) {
    if (e instanceof SignetError) throw e;
    // A parser bug must still be a clear rejection of this input, never a 500.
    throw invalidInput(`${which} could not be processed: ${String((e as Error)?.message ?? e).split('\n')[0]}`, e);
  }
  const body = Buffer.from(canonicalJson({ apiVersion: '0.0.2', kind: entry.kind, spec: entry.spec }), 'utf8');
  if (body.length > MAX_ENTRY_BYTES) {
    throw new SignetError(
      'too-large',
      `the ${entry.kind} entry is ${body.length} bytes; a Rekor v2 entry holds at most ${MAX_ENTRY_BYTES} (16-bit length in tile entry bundles)`,
    );
  }
  return { kind: entry.kind, version: '0.0.2', body, indexKeys: v2SpecIndexKeys(entry.spec as V2EntrySpec) };
}
