import type { VerifiedItem } from '../image/index.js';
import type { SignerIdentity } from '../verify/index.js';

/** What the header says was checked (cosign's PrintVerificationHeader). */
export interface HeaderFacts {
  checkClaims: boolean;
  annotations: boolean;
  key: boolean;
}

/** cosign's PrintVerificationHeader, on stderr. */
export function printVerificationHeader(ref: string, facts: HeaderFacts, verified: VerifiedItem[]): void {
  const lines = [`\nVerification for ${ref} --`, 'The following checks were performed on each of these signatures:'];
  if (facts.checkClaims) {
    if (facts.annotations) lines.push('  - The specified annotations were verified.');
    lines.push('  - The cosign claims were validated');
  }
  if (verified.some((v) => v.tlogVerified && !v.tlogOnline)) {
    lines.push('  - Existence of the claims in the transparency log was verified offline');
  } else if (verified.some((v) => v.tlogOnline)) {
    lines.push('  - The claims were present in the transparency log');
    lines.push('  - The signatures were integrated into the transparency log when the certificate was valid');
  }
  if (facts.key) lines.push('  - The signatures were verified against the specified public key');
  else lines.push('  - The code-signing certificate was verified using trusted certificate authority certificates');
  process.stderr.write(lines.join('\n') + '\n');
}

/**
 * cosign's PrintVerification for `verify`: with `json` (the default) one JSON array of simple-signing payloads on
 * stdout, each `optional` carrying the certificate's Subject and Issuer; with `text`, the certificate lines on
 * stderr and each payload on its own stdout line. Bundles (the default layout) get a payload synthesized from the
 * in-toto statement as cosign v3 does (its docker-reference is the reference verified) and, unlike cosign v3,
 * the same certificate fields as the legacy layout.
 */
export function printSignatures(verified: VerifiedItem[], dockerReference: string, output: string): void {
  if (output === 'text') {
    for (const item of verified) {
      printCertificateLines(item.identity);
      process.stdout.write(JSON.stringify(basePayload(item, dockerReference)) + '\n');
    }
    return;
  }
  const payloads = verified.map((item) => signaturePayload(item, dockerReference));
  process.stdout.write('\n' + JSON.stringify(payloads) + '\n');
}

/** cosign's `verify-attestation` output (PrintVerification "text"): certificate lines on stderr, each envelope. */
export function printAttestations(verified: VerifiedItem[]): void {
  for (const item of verified) {
    printCertificateLines(item.identity);
    const line = item.rawEnvelope ? item.rawEnvelope.toString('utf8').trim() : JSON.stringify(item.envelope);
    process.stdout.write(line + '\n');
  }
}

interface StatementPayload {
  subject?: { digest?: { sha256?: string }; annotations?: Record<string, unknown> }[];
  predicateType?: string;
}

interface SimpleContainerImage {
  critical: unknown;
  optional: Record<string, unknown> | null;
}

/** The payload as signed (legacy), or synthesized from the statement as cosign v3's transformOutput does. */
function basePayload(item: VerifiedItem, dockerReference: string): SimpleContainerImage {
  if (item.layout !== 'bundle') return item.payload as SimpleContainerImage;
  const statement = item.payload as StatementPayload;
  const subject = statement.subject?.[0];
  return {
    critical: {
      identity: { 'docker-reference': dockerReference },
      image: { 'docker-manifest-digest': `sha256:${subject?.digest?.sha256 ?? ''}` },
      type: statement.predicateType,
    },
    optional: subject?.annotations ?? null,
  };
}

function signaturePayload(item: VerifiedItem, dockerReference: string): SimpleContainerImage {
  const base = basePayload(item, dockerReference);
  const optional: Record<string, unknown> = { ...(base.optional ?? {}), ...certificateOptional(item.identity) };
  if (item.rekorBundle) optional.Bundle = item.rekorBundle;
  return { ...base, optional: Object.keys(optional).length ? optional : null };
}

/** The GitHub workflow fields cosign copies from the certificate, by name and by Fulcio OID. */
const WORKFLOW_FIELDS = [
  ['githubWorkflowTrigger', '1.3.6.1.4.1.57264.1.2', 'GitHub Workflow Trigger'],
  ['githubWorkflowSha', '1.3.6.1.4.1.57264.1.3', 'GitHub Workflow SHA'],
  ['githubWorkflowName', '1.3.6.1.4.1.57264.1.4', 'GitHub Workflow Name'],
  ['githubWorkflowRepository', '1.3.6.1.4.1.57264.1.5', 'GitHub Workflow Repository'],
  ['githubWorkflowRef', '1.3.6.1.4.1.57264.1.6', 'GitHub Workflow Ref'],
] as const;

/** cosign's additions to `optional` for a certificate: Subject (first SAN), Issuer (+ its OID), workflow claims. */
export function certificateOptional(identity: SignerIdentity | undefined): Record<string, string> {
  if (!identity) return {};
  const out: Record<string, string> = { Subject: identity.subjectAlternativeNames[0] ?? '' };
  if (identity.issuer) {
    out.Issuer = identity.issuer;
    out['1.3.6.1.4.1.57264.1.1'] = identity.issuer;
  }
  for (const [name, oid] of WORKFLOW_FIELDS) {
    const value = identity[name];
    if (value) out[name] = out[oid] = value;
  }
  return out;
}

function printCertificateLines(identity: SignerIdentity | undefined): void {
  if (!identity) return;
  const lines = [`Certificate subject: ${identity.subjectAlternativeNames[0] ?? ''}`];
  if (identity.issuer) lines.push(`Certificate issuer URL: ${identity.issuer}`);
  for (const [name, , label] of WORKFLOW_FIELDS) {
    if (identity[name]) lines.push(`${label}: ${identity[name]}`);
  }
  process.stderr.write(lines.join('\n') + '\n');
}
