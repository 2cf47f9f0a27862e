import { verificationFailed } from '../errors.js';
import { extension, OID, type Certificate } from './certificate.js';
import { derValue, generalNames, parseDer } from '../encoding/index.js';

/** Fulcio's certificate extensions (fulcio docs/oid-info.md); 1.1-1.6 are the deprecated raw-string forms. */
const FULCIO = '1.3.6.1.4.1.57264.1.';
export const FULCIO_OID = {
  issuerV1: FULCIO + '1',
  githubWorkflowTrigger: FULCIO + '2',
  githubWorkflowSha: FULCIO + '3',
  githubWorkflowName: FULCIO + '4',
  githubWorkflowRepository: FULCIO + '5',
  githubWorkflowRef: FULCIO + '6',
  otherNameSan: FULCIO + '7',
  issuer: FULCIO + '8',
  sourceRepositoryUri: FULCIO + '12',
  sourceRepositoryDigest: FULCIO + '13',
  sourceRepositoryRef: FULCIO + '14',
  buildTrigger: FULCIO + '20',
} as const;

/** Who the certificate says signed: its SANs and the Fulcio claims. */
export interface SignerIdentity {
  subjectAlternativeNames: string[];
  issuer?: string;
  githubWorkflowTrigger?: string;
  githubWorkflowSha?: string;
  githubWorkflowName?: string;
  githubWorkflowRepository?: string;
  githubWorkflowRef?: string;
}

/** A string policy: exact, or a Go RE2 pattern matched unanchored (cosign's `*-regexp` flags). */
export type Matcher = { exact: string } | { regexp: string };

export interface IdentityPolicy {
  identity?: Matcher;
  issuer?: Matcher;
  githubWorkflowTrigger?: string;
  githubWorkflowSha?: string;
  githubWorkflowName?: string;
  githubWorkflowRepository?: string;
  githubWorkflowRef?: string;
}

export function signerIdentity(cert: Certificate): SignerIdentity {
  const raw = (oid: string) => extension(cert, oid)?.value.toString('utf8');
  const utf8 = (oid: string) => {
    const ext = extension(cert, oid);
    return ext ? derValue(parseDer(ext.value, `extension ${oid}`)).toString('utf8') : undefined;
  };
  const id: SignerIdentity = { subjectAlternativeNames: subjectAlternativeNames(cert) };
  const set = <K extends keyof SignerIdentity>(k: K, v: SignerIdentity[K] | undefined) => {
    if (v !== undefined) id[k] = v;
  };
  set('issuer', utf8(FULCIO_OID.issuer) ?? raw(FULCIO_OID.issuerV1));
  set('githubWorkflowTrigger', raw(FULCIO_OID.githubWorkflowTrigger) ?? utf8(FULCIO_OID.buildTrigger));
  set('githubWorkflowSha', raw(FULCIO_OID.githubWorkflowSha) ?? utf8(FULCIO_OID.sourceRepositoryDigest));
  set('githubWorkflowName', raw(FULCIO_OID.githubWorkflowName));
  const repoUri = utf8(FULCIO_OID.sourceRepositoryUri)?.replace(/^https:\/\/[^/]+\//, '');
  set('githubWorkflowRepository', raw(FULCIO_OID.githubWorkflowRepository) ?? repoUri);
  set('githubWorkflowRef', raw(FULCIO_OID.githubWorkflowRef) ?? utf8(FULCIO_OID.sourceRepositoryRef));
  return id;
}

/** The SANs cosign matches `--certificate-identity` against, in its order (encoding's `generalNames`). */
export function subjectAlternativeNames(cert: Certificate): string[] {
  const ext = extension(cert, OID.subjectAltName);
  return ext ? generalNames(ext.value) : [];
}

/** Applies the policy; throws a verification failure naming the first claim that does not match. */
export function checkIdentity(id: SignerIdentity, policy: IdentityPolicy): void {
  if (policy.identity && !id.subjectAlternativeNames.some((san) => matches(policy.identity!, san))) {
    throw verificationFailed(
      `certificate identity ${JSON.stringify(id.subjectAlternativeNames.join(', '))} does not match ${describe(policy.identity)}`,
    );
  }
  if (policy.issuer && !(id.issuer !== undefined && matches(policy.issuer, id.issuer))) {
    throw verificationFailed(
      `certificate OIDC issuer ${JSON.stringify(id.issuer ?? '')} does not match ${describe(policy.issuer)}`,
    );
  }
  for (const claim of [
    'githubWorkflowTrigger',
    'githubWorkflowSha',
    'githubWorkflowName',
    'githubWorkflowRepository',
    'githubWorkflowRef',
  ] as const) {
    const want = policy[claim];
    if (want !== undefined && id[claim] !== want) {
      throw verificationFailed(
        `certificate ${claim} ${JSON.stringify(id[claim] ?? '')} does not match ${JSON.stringify(want)}`,
      );
    }
  }
}

const describe = (m: Matcher) => ('exact' in m ? JSON.stringify(m.exact) : `the pattern ${JSON.stringify(m.regexp)}`);

function matches(m: Matcher, value: string): boolean {
  return 'exact' in m ? m.exact === value : goRegexp(m.regexp).test(value);
}

const compiled = new Map<string, RegExp>();

/**
 * A Go RE2 pattern as a JavaScript RegExp with the same meaning for what identity patterns use: leading flag
 * groups `(?i)`, `(?s)`, `(?m)`, `(?P<name>`, `\A` and `\z`. Unanchored, as Go's MatchString.
 */
export function goRegexp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re) return re;
  let source = pattern;
  let flags = '';
  const lead = /^\(\?([ims]+)\)/.exec(source);
  if (lead) {
    flags = [...new Set(lead[1]!)].join('');
    source = source.slice(lead[0].length);
  }
  source = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\\A/g, '^')
    .replace(/\\z/g, '$(?![\\s\\S])');
  try {
    re = new RegExp(source, flags);
  } catch (e) {
    throw verificationFailed(`the pattern ${JSON.stringify(pattern)} is not a valid regular expression`, e);
  }
  compiled.set(pattern, re);
  return re;
}
