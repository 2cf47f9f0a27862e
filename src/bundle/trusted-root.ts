import { FieldReader, type Obj } from './json-fields.js';
import {
  SIGNING_CONFIG_MEDIA_TYPE,
  type CertificateAuthority,
  type ServiceUrl,
  type SigningConfig,
  type TimeRange,
  type TransparencyLogInstance,
  type TrustedRoot,
} from './types.js';

export const TRUSTED_ROOT_MEDIA_TYPES = [
  'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  'application/vnd.dev.sigstore.trustedroot.v0.1+json',
  'application/vnd.dev.sigstore.trustedroot.v0.2+json',
];
export const SIGNING_CONFIG_MEDIA_TYPES = [SIGNING_CONFIG_MEDIA_TYPE];

/**
 * Validates a trusted root (protobuf-specs sigstore_trustroot.proto). Every `validFor` must have a `start`:
 * a key or CA without one has no defined period of trust, so the whole root is rejected rather than trusting it
 * from the epoch (sigstore-conformance trust-root-tlog-missing-validity-start).
 */
export function parseTrustedRoot(json: unknown): TrustedRoot {
  const r = new FieldReader('trusted root');
  const o = r.object(json, 'trusted root');
  const mediaType = r.string(o.mediaType, 'mediaType');
  if (!TRUSTED_ROOT_MEDIA_TYPES.includes(mediaType))
    r.fail('mediaType', `${JSON.stringify(mediaType)} is not supported`);
  return {
    mediaType,
    tlogs: r.array(o.tlogs, 'tlogs').map((t, i) => parseLog(r, t, `tlogs[${i}]`)),
    certificateAuthorities: r
      .array(o.certificateAuthorities, 'certificateAuthorities')
      .map((c, i) => parseAuthority(r, c, `certificateAuthorities[${i}]`)),
    ctlogs: r.array(o.ctlogs, 'ctlogs').map((t, i) => parseLog(r, t, `ctlogs[${i}]`)),
    timestampAuthorities: r
      .array(o.timestampAuthorities, 'timestampAuthorities')
      .map((c, i) => parseAuthority(r, c, `timestampAuthorities[${i}]`)),
  };
}

function parseTimeRange(r: FieldReader, v: unknown, path: string): TimeRange {
  const o = r.object(v, path);
  if (o.start === undefined || o.start === null) r.fail(path, 'has no start');
  const range: TimeRange = { start: r.timestamp(o.start, `${path}.start`) };
  if (o.end !== undefined && o.end !== null) range.end = r.timestamp(o.end, `${path}.end`);
  return range;
}

function parseLog(r: FieldReader, v: unknown, path: string): TransparencyLogInstance {
  const o = r.object(v, path);
  const key = r.object(o.publicKey, `${path}.publicKey`);
  const log: TransparencyLogInstance = {
    baseUrl: r.string(o.baseUrl, `${path}.baseUrl`),
    hashAlgorithm: r.string(
      o.hashAlgorithm ?? 'SHA2_256',
      `${path}.hashAlgorithm`,
    ) as TransparencyLogInstance['hashAlgorithm'],
    publicKey: {
      rawBytes: r.bytes(key.rawBytes, `${path}.publicKey.rawBytes`),
      keyDetails: r.string(key.keyDetails, `${path}.publicKey.keyDetails`),
      validFor: parseTimeRange(r, key.validFor, `${path}.publicKey.validFor`),
    },
    logId: { keyId: r.bytes(r.object(o.logId, `${path}.logId`).keyId, `${path}.logId.keyId`) },
  };
  const cp = r.optionalObject(o.checkpointKeyId, `${path}.checkpointKeyId`);
  if (cp) log.checkpointKeyId = { keyId: r.bytes(cp.keyId, `${path}.checkpointKeyId.keyId`) };
  const operator = r.optionalString(o.operator, `${path}.operator`);
  if (operator) log.operator = operator;
  return log;
}

function parseAuthority(r: FieldReader, v: unknown, path: string): CertificateAuthority {
  const o = r.object(v, path);
  const chain = r.object(o.certChain, `${path}.certChain`);
  const certs = r.array(chain.certificates, `${path}.certChain.certificates`);
  if (certs.length === 0) r.fail(`${path}.certChain`, 'has no certificates');
  const ca: CertificateAuthority = {
    certChain: {
      certificates: certs.map((c, i) => {
        const p = `${path}.certChain.certificates[${i}]`;
        return { rawBytes: r.bytes(r.object(c, p).rawBytes, `${p}.rawBytes`) };
      }),
    },
    validFor: parseTimeRange(r, o.validFor, `${path}.validFor`),
  };
  const subject = r.optionalObject(o.subject, `${path}.subject`) as CertificateAuthority['subject'];
  if (subject) ca.subject = subject;
  const uri = r.optionalString(o.uri, `${path}.uri`);
  if (uri) ca.uri = uri;
  const operator = r.optionalString(o.operator, `${path}.operator`);
  if (operator) ca.operator = operator;
  return ca;
}

/** Validates a signing config v0.2: service URLs with an API version and a validity period. */
export function parseSigningConfig(json: unknown): SigningConfig {
  const r = new FieldReader('signing config');
  const o = r.object(json, 'signing config');
  const mediaType = r.string(o.mediaType, 'mediaType');
  if (!SIGNING_CONFIG_MEDIA_TYPES.includes(mediaType))
    r.fail('mediaType', `${JSON.stringify(mediaType)} is not supported`);
  const urls = (key: string) => r.array(o[key], key).map((s, i) => parseService(r, s, `${key}[${i}]`));
  const config: SigningConfig = {
    mediaType,
    caUrls: urls('caUrls'),
    oidcUrls: urls('oidcUrls'),
    rekorTlogUrls: urls('rekorTlogUrls'),
    tsaUrls: urls('tsaUrls'),
  };
  for (const key of ['rekorTlogConfig', 'tsaConfig'] as const) {
    const c = r.optionalObject(o[key], key);
    if (!c) continue;
    const selector = r.string(c.selector, `${key}.selector`);
    if (!['ALL', 'ANY', 'EXACT'].includes(selector)) r.fail(`${key}.selector`, 'must be ALL, ANY or EXACT');
    if (selector === 'EXACT' && !(typeof c.count === 'number' && c.count > 0))
      r.fail(`${key}.count`, 'must be positive');
    config[key] = { selector: selector as 'ALL', ...(typeof c.count === 'number' ? { count: c.count } : {}) };
  }
  return config;
}

function parseService(r: FieldReader, v: unknown, path: string): ServiceUrl {
  const o: Obj = r.object(v, path);
  const url = r.string(o.url, `${path}.url`);
  if (!/^https?:\/\//.test(url)) r.fail(`${path}.url`, 'is not an http(s) URL');
  const major = o.majorApiVersion;
  if (typeof major !== 'number' || !Number.isInteger(major) || major < 0)
    r.fail(`${path}.majorApiVersion`, 'is not a version');
  const service: ServiceUrl = {
    url,
    majorApiVersion: major,
    validFor: parseTimeRange(r, o.validFor, `${path}.validFor`),
  };
  const operator = r.optionalString(o.operator, `${path}.operator`);
  if (operator) service.operator = operator;
  return service;
}
