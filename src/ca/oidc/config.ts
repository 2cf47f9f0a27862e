import { readFileSync } from 'node:fs';
import { invalidInput } from '../../errors.js';
import { BUILTIN_CI_METADATA, type CiMetadata } from './ci-metadata.js';
import { compileMetaIssuer } from './meta-issuer.js';

export const ISSUER_TYPES = [
  'email',
  'uri',
  'spiffe',
  'kubernetes',
  'username',
  'github-workflow',
  'gitlab-pipeline',
  'ci-provider',
] as const;
export type IssuerType = (typeof ISSUER_TYPES)[number];

/** One trusted issuer, as Fulcio's `OIDCIssuer` (config file keys `IssuerURL`/`issuer-url`, ...). */
export interface IssuerConfig {
  issuerUrl: string;
  /** The audience tokens must carry (`ClientID`); `sigstore` unless configured. */
  clientId: string;
  type: IssuerType;
  ciProvider?: string;
  /** email issuers only: a `$.a.b` path to the claim that holds the issuer for the certificate (Dex's connector). */
  issuerClaim?: string;
  subjectDomain?: string;
  spiffeTrustDomain?: string;
  challengeClaim?: string;
  skipEmailVerification?: boolean;
  description?: string;
  contact?: string;
}

/** The CA's identity configuration: fixed issuers by URL, wildcard (meta) issuers by pattern, CI templates. */
export interface IdentityConfig {
  oidcIssuers: Record<string, IssuerConfig>;
  metaIssuers: Record<string, IssuerConfig>;
  ciIssuerMetadata: Record<string, CiMetadata>;
}

/** Reads a Fulcio `--config-path` file. JSON only (Fulcio also reads YAML; convert it with any YAML-to-JSON tool). */
export function loadIdentityConfig(path: string): IdentityConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw invalidInput(`cannot read the issuer config file ${path}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalidInput(`the issuer config file ${path} is not JSON (YAML is not supported: convert it to JSON)`);
  }
  return parseIdentityConfig(raw);
}

/**
 * Parses a config object. Keys match Go's encoding/json (case-insensitive field names) and Fulcio's YAML
 * kebab-case names alike: `OIDCIssuers`, `oidc-issuers`, `IssuerURL`, `issuer-url`, `ClientID`, `client-id`...
 */
export function parseIdentityConfig(raw: unknown): IdentityConfig {
  const top = normalize(raw, 'config');
  const config: IdentityConfig = { oidcIssuers: {}, metaIssuers: {}, ciIssuerMetadata: { ...BUILTIN_CI_METADATA } };
  for (const [name, v] of entriesOf(top.ciissuermetadata, 'CIIssuerMetadata')) {
    config.ciIssuerMetadata[name] = parseCiMetadata(v, name);
  }
  for (const [url, v] of entriesOf(top.oidcissuers, 'OIDCIssuers')) {
    config.oidcIssuers[url] = parseIssuer(v, url, config);
  }
  for (const [pattern, v] of entriesOf(top.metaissuers, 'MetaIssuers')) {
    const issuer = parseIssuer({ ...normalize(v, pattern), issuerurl: pattern }, pattern, config);
    if (issuer.type === 'spiffe') throw invalidInput(`meta issuer ${pattern}: spiffe issuers cannot be meta issuers`);
    compileMetaIssuer(pattern);
    config.metaIssuers[pattern] = issuer;
  }
  return config;
}

function parseIssuer(raw: unknown, key: string, config: IdentityConfig): IssuerConfig {
  const o = normalize(raw, key);
  const type = str(o.type, `${key}: Type`) as IssuerType;
  if (!ISSUER_TYPES.includes(type))
    throw invalidInput(`issuer ${key}: type "${type}" is not supported (one of ${ISSUER_TYPES.join(', ')})`);
  const issuer: IssuerConfig = {
    issuerUrl: str(o.issuerurl ?? key, `${key}: IssuerURL`),
    clientId: o.clientid === undefined ? 'sigstore' : str(o.clientid, `${key}: ClientID`),
    type,
  };
  for (const [field, k] of [
    ['ciProvider', 'ciprovider'],
    ['issuerClaim', 'issuerclaim'],
    ['subjectDomain', 'subjectdomain'],
    ['spiffeTrustDomain', 'spiffetrustdomain'],
    ['challengeClaim', 'challengeclaim'],
    ['description', 'description'],
    ['contact', 'contact'],
  ] as const) {
    if (o[k] !== undefined && o[k] !== '') issuer[field] = str(o[k], `${key}: ${field}`);
  }
  if (o.skipemailverification !== undefined) issuer.skipEmailVerification = o.skipemailverification === true;
  validateIssuer(issuer, key, config);
  return issuer;
}

function validateIssuer(i: IssuerConfig, key: string, config: IdentityConfig): void {
  if (i.issuerClaim && i.type !== 'email')
    throw invalidInput(`issuer ${key}: IssuerClaim is only allowed for email issuers`);
  if (i.type === 'spiffe' && !/^[a-z0-9._-]+$/.test(i.spiffeTrustDomain ?? '')) {
    throw invalidInput(`issuer ${key}: spiffe issuers need a valid SPIFFETrustDomain`);
  }
  if (i.type === 'uri' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(i.subjectDomain ?? '')) {
    throw invalidInput(`issuer ${key}: uri issuers need a SubjectDomain with a scheme (https://example.com)`);
  }
  if (i.type === 'username' && (!i.subjectDomain || i.subjectDomain.includes('://'))) {
    throw invalidInput(`issuer ${key}: username issuers need a SubjectDomain without a scheme (example.com)`);
  }
  if (i.type === 'ci-provider' && !config.ciIssuerMetadata[i.ciProvider ?? '']) {
    throw invalidInput(`issuer ${key}: ci-provider "${i.ciProvider ?? ''}" has no CIIssuerMetadata entry`);
  }
}

function parseCiMetadata(raw: unknown, name: string): CiMetadata {
  const o = normalize(raw, name);
  const strings = (v: unknown, what: string): Record<string, string> =>
    Object.fromEntries(Object.entries(v ?? {}).map(([k, s]) => [k, str(s, `${name}: ${what}.${k}`, true)]));
  return {
    defaultTemplateValues: strings(o.defaulttemplatevalues, 'DefaultTemplateValues'),
    extensionTemplates: strings(o.extensiontemplates, 'ExtensionTemplates'),
    subjectAlternativeNameTemplate: str(o.subjectalternativenametemplate, `${name}: SubjectAlternativeNameTemplate`),
  };
}

/** Lower-cases keys and drops `-`/`_`, so Go field names and YAML tags compare equal. */
function normalize(raw: unknown, what: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidInput(`${what} must be an object`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) out[k.toLowerCase().replace(/[-_]/g, '')] = v;
  return out;
}

/** The entries of a map keyed by URL or name (keys kept as written). */
function entriesOf(raw: unknown, what: string): [string, unknown][] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidInput(`${what} must be an object`);
  return Object.entries(raw);
}

function str(v: unknown, what: string, allowEmpty = false): string {
  if (typeof v !== 'string' || (!allowEmpty && v === '')) throw invalidInput(`${what} must be a non-empty string`);
  return v;
}

/** The claim a client signs for its proof of possession: `email` for email issuers, `sub` for the rest. */
export function challengeClaimOf(i: IssuerConfig): string {
  return i.challengeClaim ?? (i.type === 'email' ? 'email' : 'sub');
}
