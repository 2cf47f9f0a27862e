import type { JWTPayload } from 'jose';
import { SignetError, invalidInput } from '../../errors.js';
import { TEMPLATE_KEYS, type SigstoreExtensions } from '../certificate/extensions.js';
import type { San } from '../certificate/leaf.js';
import { GITHUB_REQUIRED_CLAIMS, GITLAB_REQUIRED_CLAIMS, type CiMetadata } from './ci-metadata.js';
import type { IdentityConfig, IssuerConfig } from './config.js';
import { applyTemplate } from './template.js';

/** Who a verified token names: the string the proof of possession signs, the SAN, and the extension values. */
export interface Principal {
  /** Fulcio's `principal.Name()`: the email claim for email issuers, `sub` for the rest. */
  name: string;
  san: San;
  extensions: SigstoreExtensions;
}

const EMAIL_RE = /^[^\s@!]+@[^\s@]+$/;

/** Maps a verified token's claims to a principal according to its issuer's type (Fulcio pkg/identity/*). */
export function principalFromClaims(issuer: IssuerConfig, claims: JWTPayload, config: IdentityConfig): Principal {
  const iss = claims.iss!;
  const sub = typeof claims.sub === 'string' ? claims.sub : '';
  const base = { issuer: iss, tokenSubject: sub || undefined };
  switch (issuer.type) {
    case 'email':
      return emailPrincipal(issuer, claims, base);
    case 'uri':
      return { name: needSub(sub), san: { type: 'uri', value: uriSubject(issuer, sub) }, extensions: base };
    case 'username':
      return { name: needSub(sub), san: { type: 'username', value: usernameSubject(issuer, sub) }, extensions: base };
    case 'spiffe':
      return { name: needSub(sub), san: { type: 'uri', value: spiffeSubject(issuer, sub) }, extensions: base };
    case 'kubernetes':
      return { name: needSub(sub), san: { type: 'uri', value: kubernetesSubject(claims) }, extensions: base };
    case 'github-workflow':
      requireClaims(claims, GITHUB_REQUIRED_CLAIMS);
      return ciPrincipal(claims, sub, config.ciIssuerMetadata['github-workflow']!, ['deploymentEnvironment']);
    case 'gitlab-pipeline':
      requireClaims(claims, GITLAB_REQUIRED_CLAIMS);
      return ciPrincipal(claims, sub, config.ciIssuerMetadata['gitlab-pipeline']!, []);
    case 'ci-provider':
      return ciPrincipal(claims, sub, config.ciIssuerMetadata[issuer.ciProvider!]!, []);
  }
}

function emailPrincipal(issuer: IssuerConfig, claims: JWTPayload, base: SigstoreExtensions): Principal {
  const email = claims.email;
  if (typeof email !== 'string' || email === '') throw unauthenticated('token has no email claim');
  if (!issuer.skipEmailVerification && !isTrue(claims.email_verified)) throw unauthenticated('email is not verified');
  if (!EMAIL_RE.test(email)) throw unauthenticated(`email claim ${JSON.stringify(email)} is not an email address`);
  const issuerValue = issuer.issuerClaim ? claimAtPath(claims, issuer.issuerClaim) : base.issuer;
  return { name: email, san: { type: 'email', value: email }, extensions: { ...base, issuer: issuerValue } };
}

/** Fulcio accepts `true` and the strings "true"/"True" (oauthflow stringAsBool). */
function isTrue(v: unknown): boolean {
  return v === true || v === 'true' || v === 'True';
}

function uriSubject(issuer: IssuerConfig, sub: string): string {
  if (EMAIL_RE.test(sub)) throw unauthenticated('uri subject must not be an email address');
  let subject: URL;
  let allowed: URL;
  try {
    subject = new URL(sub);
    allowed = new URL(issuer.subjectDomain!);
  } catch {
    throw unauthenticated(`subject ${JSON.stringify(sub)} is not a URI`);
  }
  if (subject.protocol !== allowed.protocol || subject.hostname !== allowed.hostname) {
    throw unauthenticated(`subject ${JSON.stringify(sub)} is not under ${issuer.subjectDomain}`);
  }
  return sub;
}

function usernameSubject(issuer: IssuerConfig, sub: string): string {
  if (sub.includes('!')) throw unauthenticated('username subject must not contain "!"');
  if (EMAIL_RE.test(sub)) throw unauthenticated('username subject must not be an email address');
  return `${sub}!${issuer.subjectDomain}`;
}

function spiffeSubject(issuer: IssuerConfig, sub: string): string {
  const m = /^spiffe:\/\/([a-z0-9._-]+)(\/[^?#]*)?$/.exec(sub);
  if (!m) throw unauthenticated(`subject ${JSON.stringify(sub)} is not a SPIFFE ID`);
  if (m[1] !== issuer.spiffeTrustDomain) {
    throw unauthenticated(`SPIFFE trust domain ${m[1]} is not ${issuer.spiffeTrustDomain}`);
  }
  return sub;
}

function kubernetesSubject(claims: JWTPayload): string {
  const k8s = claims['kubernetes.io'] as { namespace?: unknown; serviceaccount?: { name?: unknown } } | undefined;
  const ns = k8s?.namespace;
  const sa = k8s?.serviceaccount?.name;
  if (typeof ns !== 'string' || typeof sa !== 'string')
    throw unauthenticated('token has no kubernetes.io namespace and service account');
  return `https://kubernetes.io/namespaces/${ns}/serviceaccounts/${sa}`;
}

function ciPrincipal(claims: JWTPayload, sub: string, meta: CiMetadata, omit: (keyof SigstoreExtensions)[]): Principal {
  const values: Record<string, string> = { ...meta.defaultTemplateValues };
  for (const [k, v] of Object.entries(claims)) values[k] = claimString(v);
  const san = applyTemplate(meta.subjectAlternativeNameTemplate, values);
  if (san === '') throw invalidInput('the subject alternative name template produced an empty value');
  if (!URL.canParse(san)) throw invalidInput(`the subject alternative name ${JSON.stringify(san)} is not a URI`);
  const extensions: SigstoreExtensions = { issuer: claims.iss!, tokenSubject: sub || undefined };
  for (const [key, template] of Object.entries(meta.extensionTemplates)) {
    const field = TEMPLATE_KEYS[key];
    if (!field || field === 'issuer' || omit.includes(field)) continue;
    extensions[field] = applyTemplate(template, values);
  }
  return { name: needSub(sub), san: { type: 'uri', value: san }, extensions };
}

/** Claims as template strings: whole numbers without exponent, objects as JSON (Fulcio's mapValuesToString). */
function claimString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v).toString() : String(v);
  if (typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

function requireClaims(claims: JWTPayload, names: string[]): void {
  for (const n of names) {
    if (claims[n] === undefined || claims[n] === '') throw unauthenticated(`missing ${n} claim in ID token`);
  }
}

function needSub(sub: string): string {
  if (!sub) throw unauthenticated('token has no sub claim');
  return sub;
}

/** A `$.a.b` JSONPath into the claims (what Fulcio's IssuerClaim uses). */
function claimAtPath(claims: JWTPayload, path: string): string {
  let v: unknown = claims;
  for (const part of path.replace(/^\$\.?/, '').split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
  if (typeof v !== 'string' || v === '') throw unauthenticated(`token has no issuer claim at ${path}`);
  return v;
}

function unauthenticated(message: string): SignetError {
  return new SignetError('unauthenticated', message);
}
