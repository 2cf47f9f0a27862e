import { encodeExtension, encodeOid, encodeTlv, TAG } from '../../encoding/index.js';

/** The Sigstore OID arc (docs/oid-info.md in sigstore/fulcio). */
export const SIGSTORE_ARC = '1.3.6.1.4.1.57264.1';

/**
 * The values a certificate carries in Sigstore extensions, named as Fulcio's `certificate.Extensions` fields (the
 * kebab-case names are the template keys of its issuer config). Empty values are omitted.
 */
export interface SigstoreExtensions {
  issuer: string;
  githubWorkflowTrigger?: string;
  githubWorkflowSha?: string;
  githubWorkflowName?: string;
  githubWorkflowRepository?: string;
  githubWorkflowRef?: string;
  buildSignerUri?: string;
  buildSignerDigest?: string;
  runnerEnvironment?: string;
  sourceRepositoryUri?: string;
  sourceRepositoryDigest?: string;
  sourceRepositoryRef?: string;
  sourceRepositoryIdentifier?: string;
  sourceRepositoryOwnerUri?: string;
  sourceRepositoryOwnerIdentifier?: string;
  buildConfigUri?: string;
  buildConfigDigest?: string;
  buildTrigger?: string;
  runInvocationUri?: string;
  sourceRepositoryVisibilityAtSigning?: string;
  deploymentEnvironment?: string;
  tokenSubject?: string;
}

type Field = keyof SigstoreExtensions;

/** Fulcio's `Render()` order: the deprecated raw ones (.1-.6), then the DER UTF8String ones (.8-.24). */
const RAW: [number, Field][] = [
  [1, 'issuer'],
  [2, 'githubWorkflowTrigger'],
  [3, 'githubWorkflowSha'],
  [4, 'githubWorkflowName'],
  [5, 'githubWorkflowRepository'],
  [6, 'githubWorkflowRef'],
];
const UTF8: [number, Field][] = [
  [8, 'issuer'],
  [9, 'buildSignerUri'],
  [10, 'buildSignerDigest'],
  [11, 'runnerEnvironment'],
  [12, 'sourceRepositoryUri'],
  [13, 'sourceRepositoryDigest'],
  [14, 'sourceRepositoryRef'],
  [15, 'sourceRepositoryIdentifier'],
  [16, 'sourceRepositoryOwnerUri'],
  [17, 'sourceRepositoryOwnerIdentifier'],
  [18, 'buildConfigUri'],
  [19, 'buildConfigDigest'],
  [20, 'buildTrigger'],
  [21, 'runInvocationUri'],
  [22, 'sourceRepositoryVisibilityAtSigning'],
  [23, 'deploymentEnvironment'],
  [24, 'tokenSubject'],
];

/** Template keys of Fulcio's `extension-templates` mapped to fields. */
export const TEMPLATE_KEYS: Record<string, Field> = {
  issuer: 'issuer',
  'github-workflow-trigger': 'githubWorkflowTrigger',
  'github-workflow-sha': 'githubWorkflowSha',
  'github-workflow-name': 'githubWorkflowName',
  'github-workflow-repository': 'githubWorkflowRepository',
  'github-workflow-ref': 'githubWorkflowRef',
  'build-signer-uri': 'buildSignerUri',
  'build-signer-digest': 'buildSignerDigest',
  'runner-environment': 'runnerEnvironment',
  'source-repository-uri': 'sourceRepositoryUri',
  'source-repository-digest': 'sourceRepositoryDigest',
  'source-repository-ref': 'sourceRepositoryRef',
  'source-repository-identifier': 'sourceRepositoryIdentifier',
  'source-repository-owner-uri': 'sourceRepositoryOwnerUri',
  'source-repository-owner-identifier': 'sourceRepositoryOwnerIdentifier',
  'build-config-uri': 'buildConfigUri',
  'build-config-digest': 'buildConfigDigest',
  'build-trigger': 'buildTrigger',
  'run-invocation-uri': 'runInvocationUri',
  'source-repository-visibility-at-signing': 'sourceRepositoryVisibilityAtSigning',
  'deployment-environment': 'deploymentEnvironment',
};

/** Extension OIDs (DER) by their number under the Sigstore arc, encoded once. */
const OIDS = new Map([...RAW, ...UTF8].map(([n]) => [n, encodeOid(`${SIGSTORE_ARC}.${n}`)]));

/**
 * Renders the Sigstore extensions as DER `Extension`s, non-critical, in Fulcio's order, skipping empty values: the
 * deprecated ones carry the raw UTF-8 bytes, the others a DER UTF8String (written directly: no ASN.1 object model
 * per request).
 */
export function renderSigstoreExtensions(ext: SigstoreExtensions): Buffer[] {
  if (!ext.issuer) throw new Error('extensions must have a non-empty issuer url');
  const out: Buffer[] = [];
  for (const [n, field] of RAW) {
    const v = ext[field];
    if (v) out.push(encodeExtension(OIDS.get(n)!, false, Buffer.from(v, 'utf8')));
  }
  for (const [n, field] of UTF8) {
    const v = ext[field];
    if (v) out.push(encodeExtension(OIDS.get(n)!, false, encodeTlv(TAG.utf8String, Buffer.from(v, 'utf8'))));
  }
  return out;
}
