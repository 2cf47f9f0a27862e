/**
 * Rekor v1 entry types: verify a proposed entry on upload and produce Rekor's canonical body (the Merkle leaf) and
 * search index keys, byte for byte as Rekor does. Nothing that fails verification gets an AdmittedEntry.
 *
 * @example
 * const entry = await admitEntry(JSON.parse(requestBody));
 * log.add(entry.body); index.write(entry.indexKeys, uuid);
 */
import { SignetError, invalidInput } from '../../errors.js';
import { MAX_BUNDLED_ENTRY_BYTES } from '../../merkle/index.js';
import type { AdmittedEntry } from './admitted-entry.js';
import { admitDsse } from './dsse.js';
import { admitHashedRekord } from './hashedrekord.js';
import { admitIntoto } from './intoto.js';
import { admitIntotoV001 } from './intoto-v001.js';
import { admitRekord } from './rekord.js';
import { isObject, onlyKnownFields } from './spec-input.js';

export { indexKeySet, type AdmittedEntry } from './admitted-entry.js';
export { parseX509PublicKey, x509Subjects } from './x509-public-key.js';
export { storedFormBody } from './stored-form.js';
export { emailKey, indexKeysForPublicKey, normalizeHashQuery, subjectKey } from './index-keys.js';

export interface AdmitOptions {
  /** Largest decoded intoto payload stored as the attestation (Rekor's `--max_attestation_size`, 100 KiB). */
  maxAttestationBytes?: number;
}

export const DEFAULT_MAX_ATTESTATION_BYTES = 100 * 1024;

type Admit = (spec: unknown, options: Required<AdmitOptions>) => AdmittedEntry | Promise<AdmittedEntry>;

/** Supported kinds and their versions. Rekor also serves rpm, jar, alpine, helm, cose, tuf and rfc3161. */
const ADMITTERS: Record<string, Record<string, Admit>> = {
  hashedrekord: { '0.0.1': admitHashedRekord },
  rekord: { '0.0.1': admitRekord },
  intoto: { '0.0.1': admitIntotoV001, '0.0.2': admitIntoto },
  dsse: { '0.0.1': admitDsse },
};

export const SUPPORTED_ENTRY_TYPES: ReadonlyArray<{ kind: string; apiVersion: string }> = Object.entries(
  ADMITTERS,
).flatMap(([kind, versions]) => Object.keys(versions).map((apiVersion) => ({ kind, apiVersion })));

/**
 * Verifies a proposed entry (`{kind, apiVersion, spec}` as Rekor's `ProposedEntry`) and canonicalizes it.
 * Throws SignetError 'invalid-input' for malformed shapes, bad base64, unparseable keys and signatures that do not
 * verify, and 'unsupported' for an unknown kind or version; messages are one line.
 */
export async function admitEntry(proposed: unknown, options: AdmitOptions = {}): Promise<AdmittedEntry> {
  if (!isObject(proposed)) throw invalidInput('proposed entry must be a JSON object');
  onlyKnownFields(proposed, 'entry', ['kind', 'apiVersion', 'spec']);
  const { kind, apiVersion } = proposed;
  if (typeof kind !== 'string' || kind === '') throw invalidInput('entry.kind: missing or not a string');
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    throw invalidInput('entry.apiVersion: missing or not a string');
  }
  const versions = Object.hasOwn(ADMITTERS, kind) ? ADMITTERS[kind] : undefined;
  if (!versions) throw new SignetError('unsupported', `unsupported entry kind ${JSON.stringify(kind.slice(0, 64))}`);
  const admit = Object.hasOwn(versions, apiVersion) ? versions[apiVersion] : undefined;
  if (!admit) {
    const known = Object.keys(versions).join(', ');
    throw new SignetError(
      'unsupported',
      `${kind} version ${JSON.stringify(apiVersion.slice(0, 32))} is not supported (supported: ${known})`,
    );
  }
  const maxAttestationBytes = options.maxAttestationBytes ?? DEFAULT_MAX_ATTESTATION_BYTES;
  let entry: AdmittedEntry;
  try {
    entry = await admit(proposed.spec, { maxAttestationBytes });
  } catch (e) {
    if (e instanceof SignetError) throw e;
    // A parser bug must still surface as a clear rejection of this input, never a crash of the server.
    throw invalidInput(`${kind} entry could not be processed: ${firstLine(e)}`, e);
  }
  checkBodySize(entry);
  return entry;
}

/** The tiles API serves every entry in an entry bundle with a 16-bit length: a longer canonical body can never be logged. */
function checkBodySize(entry: AdmittedEntry): void {
  if (entry.body.length <= MAX_BUNDLED_ENTRY_BYTES) return;
  throw new SignetError(
    'too-large',
    `the canonical ${entry.kind} entry is ${entry.body.length} bytes; the log stores at most ${MAX_BUNDLED_ENTRY_BYTES} bytes per entry (tlog-tiles entry bundles use a 16-bit length)`,
  );
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 200).toLowerCase();
}
