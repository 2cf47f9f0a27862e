import { createPublicKey, type KeyObject } from 'node:crypto';
import type { TransparencyLogInstance, TrustedRoot } from '../bundle/index.js';
import { invalidInput } from '../errors.js';

/** A transparency log the verifier trusts: its ID, key, and the period the key was in use. */
export interface TlogAuthority {
  /** Rekor v1: SHA-256 of the DER SPKI; Rekor v2: the C2SP signed-note key ID. */
  logId: Buffer;
  publicKey: KeyObject;
  baseUrl?: string;
  /** Inclusive at both ends. */
  validFor: { start: Date; end?: Date };
}

/** A trusted root's `tlogs` as authorities. A log whose key has no `validFor.start` makes the root invalid. */
export function tlogAuthoritiesFromTrustedRoot(root: TrustedRoot): TlogAuthority[] {
  return (root.tlogs ?? []).map(tlogAuthority);
}

export function tlogAuthority(log: TransparencyLogInstance): TlogAuthority {
  const where = log.baseUrl || 'a tlog';
  if (!log.logId?.keyId) throw invalidInput(`trusted root: ${where} has no logId`);
  if (!log.publicKey?.rawBytes) throw invalidInput(`trusted root: ${where} has no public key`);
  const start = parseTime(log.publicKey.validFor?.start, `${where} validFor.start`);
  if (!start) throw invalidInput(`trusted root: ${where} has no validFor.start`);
  const end = parseTime(log.publicKey.validFor?.end, `${where} validFor.end`);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(log.publicKey.rawBytes, 'base64'), format: 'der', type: 'spki' });
  } catch (e) {
    throw invalidInput(`trusted root: the public key of ${where} is not a DER SPKI key`, e);
  }
  const authority: TlogAuthority = {
    logId: Buffer.from(log.logId.keyId, 'base64'),
    publicKey,
    validFor: end ? { start, end } : { start },
  };
  if (log.baseUrl) authority.baseUrl = log.baseUrl;
  return authority;
}

function parseTime(s: string | undefined, what: string): Date | undefined {
  if (s === undefined) return undefined;
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw invalidInput(`trusted root: ${what} is not an RFC 3339 time`);
  return d;
}
