import { invalidInput } from '../../errors.js';

/** cosign's simple-signing payload: what a legacy `.sig` layer holds and what its signature covers. */
export interface SimpleSigningPayload {
  critical: {
    identity: { 'docker-reference': string };
    image: { 'docker-manifest-digest': string };
    type: string;
  };
  optional: Record<string, unknown> | null;
}

export const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

/**
 * The payload bytes exactly as cosign writes them (Go's encoding/json: struct order, sorted map keys, `<>&`
 * escaped, no trailing newline), so signatures made by either tool cover the same bytes.
 */
export function simpleSigningPayload(dockerReference: string, digest: string, annotations?: Record<string, string>) {
  const optional =
    annotations && Object.keys(annotations).length
      ? '{' +
        Object.keys(annotations)
          .sort()
          .map((k) => `${goString(k)}:${goString(annotations[k]!)}`)
          .join(',') +
        '}'
      : 'null';
  const json =
    `{"critical":{"identity":{"docker-reference":${goString(dockerReference)}},` +
    `"image":{"docker-manifest-digest":${goString(digest)}},"type":${goString(SIMPLE_SIGNING_TYPE)}},` +
    `"optional":${optional}}`;
  return Buffer.from(json, 'utf8');
}

/** A JSON string as Go's encoding/json writes it (HTML-safe escaping). */
function goString(s: string): string {
  return JSON.stringify(s)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export function parseSimpleSigningPayload(bytes: Buffer): SimpleSigningPayload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw invalidInput('signature payload is not valid JSON', e);
  }
  const p = parsed as SimpleSigningPayload;
  const digest = p?.critical?.image?.['docker-manifest-digest'];
  if (typeof digest !== 'string') throw invalidInput('signature payload has no critical.image.docker-manifest-digest');
  if (p.optional !== null && p.optional !== undefined && typeof p.optional !== 'object') {
    throw invalidInput('signature payload optional section is not an object');
  }
  return p;
}
