import type { Command } from 'commander';
import type { TrustedRoot } from '../bundle/index.js';
import {
  NoMatchingSignaturesError,
  verifyImageAttestations,
  verifyImageSignatures,
  type VerifiedItem,
  type VerifyImageOptions,
} from '../image/index.js';
import { formatReference, openImage, repositoryName } from '../oci/index.js';
import { predicateTypeFor, type TrustMaterial } from '../verify/index.js';
import { CliExit } from './exit.js';
import { annotationOption, attachmentOption, parseAnnotations, resolveTargets } from './image.js';
import { addRegistryOptions, registryOptions } from './registry-options.js';
import { boolOption } from './signing-flags.js';
import {
  addVerifyOptions,
  checkPolicyFlags,
  normaliseAliases,
  policyFrom,
  readPublicKey,
  trustFrom,
  type VerifyFlags,
} from './verify-flags.js';

interface ImageVerifyFlags extends VerifyFlags {
  annotations?: string[];
  checkClaims: boolean;
  attachment?: string;
  output?: string;
  type?: string;
}

/** `signet verify` and `signet verify-attestation`: cosign's output and exit codes (10 none, 11 no tag, 12 none matched). */
export function registerImageVerify(program: Command): void {
  verifyCommand(program, 'verify', 'verify the signatures of container images (cosign verify)')
    .option('-o, --output <format>', 'json (the verified payloads) or text', 'json')
    .addOption(attachmentOption())
    .action(async (images: string[], flags: ImageVerifyFlags) => {
      const options = await verifyOptions(flags);
      for (const image of images) {
        const session = openImage(image, registryOptions(flags as unknown as Record<string, unknown>));
        const verified: VerifiedItem[] = [];
        for (const target of await resolveTargets(session, false, flags.attachment)) {
          verified.push(...(await withExitCodes(verifyImageSignatures(session, target, options), true)));
        }
        printHeader(formatReference(session.ref), flags, verified);
        printSignatures(verified, repositoryName(session.ref), flags.output ?? 'json');
      }
    });

  verifyCommand(
    program,
    'verify-attestation',
    'verify the attestations of container images (cosign verify-attestation)',
  )
    .option(
      '--type <type>',
      'predicate type: custom, slsaprovenance1, spdx, cyclonedx, vuln, openvex, ... or a URI',
      'custom',
    )
    .option('-o, --output <format>', 'accepted for cosign compatibility (envelopes are always printed as JSON)')
    .action(async (images: string[], flags: ImageVerifyFlags) => {
      const options = await verifyOptions(flags);
      const predicateType = predicateTypeFor(flags.type ?? 'custom');
      for (const image of images) {
        const session = openImage(image, registryOptions(flags as unknown as Record<string, unknown>));
        const [target] = await resolveTargets(session, false, undefined, 1);
        const verified = await withExitCodes(
          verifyImageAttestations(session, target!, { ...options, predicateType }),
          false,
        );
        printHeader(formatReference(session.ref), flags, verified);
        for (const item of verified) process.stdout.write(envelopeLine(item) + '\n');
      }
    });
}

function verifyCommand(program: Command, name: string, description: string): Command {
  return addRegistryOptions(
    addVerifyOptions(program.command(name).description(description).argument('<image...>', 'images to verify')),
  )
    .addOption(annotationOption())
    .addOption(
      boolOption('--check-claims [bool]', 'check the signed payload names the image digest and -a annotations'),
    );
}

async function verifyOptions(flags: ImageVerifyFlags): Promise<VerifyImageOptions> {
  normaliseAliases(flags);
  checkPolicyFlags(flags);
  const key = flags.key ? await readPublicKey(flags.key) : undefined;
  const annotations = parseAnnotations(flags.annotations);
  return {
    trust: key && flags.insecureIgnoreTlog && !flags.trustedRoot ? EMPTY_TRUST : await trustFrom(flags),
    ...(key ? { key } : { policy: policyFrom(flags) }),
    ...(annotations ? { annotations } : {}),
    checkClaims: flags.checkClaims,
    ignoreTlog: !!flags.insecureIgnoreTlog,
    ignoreSct: !!flags.insecureIgnoreSct,
  };
}

/** A key with --insecure-ignore-tlog needs no trusted root (cosign v3.0.4): nothing to trust beyond the key. */
const EMPTY_TRUST: TrustMaterial = {
  root: {} as TrustedRoot,
  tlogs: [],
  ctlogs: [],
  certificateAuthorities: [],
  timestampAuthorities: [],
};

/** cosign's exit codes: 10 when nothing is attached, 12 when nothing matched (legacy `verify` only; else 1). */
async function withExitCodes<T>(run: Promise<T>, cosignCodes: boolean): Promise<T> {
  try {
    return await run;
  } catch (e) {
    if (!(e instanceof NoMatchingSignaturesError)) throw e;
    throw new CliExit(cosignCodes ? (e.found === 0 ? 10 : 12) : 1, e.message);
  }
}

/** cosign's PrintVerificationHeader, on stderr. */
function printHeader(ref: string, flags: ImageVerifyFlags, verified: VerifiedItem[]): void {
  const lines = [`\nVerification for ${ref} --`, 'The following checks were performed on each of these signatures:'];
  if (flags.checkClaims) {
    if (flags.annotations?.length) lines.push('  - The specified annotations were verified.');
    lines.push('  - The cosign claims were validated');
  }
  if (verified.some((v) => v.tlogVerified)) {
    lines.push('  - Existence of the claims in the transparency log was verified offline');
  }
  if (flags.key) lines.push('  - The signatures were verified against the specified public key');
  else lines.push('  - The code-signing certificate was verified using trusted certificate authority certificates');
  process.stderr.write(lines.join('\n') + '\n');
}

/** cosign's PrintVerification: a JSON array of simple-signing payloads (synthesized for bundles), or text. */
function printSignatures(verified: VerifiedItem[], dockerReference: string, output: string): void {
  const payloads = verified.map((item) => outputPayload(item, dockerReference));
  if (output === 'text') {
    for (const item of verified) {
      if (item.identity) {
        process.stderr.write(`Certificate subject: ${item.identity.subjectAlternativeNames[0] ?? ''}\n`);
        if (item.identity.issuer) process.stderr.write(`Certificate issuer URL: ${item.identity.issuer}\n`);
      }
    }
    for (const p of payloads) process.stdout.write(JSON.stringify(p) + '\n');
    return;
  }
  process.stdout.write('\n' + JSON.stringify(payloads) + '\n');
}

interface StatementPayload {
  subject?: { digest?: { sha256?: string }; annotations?: Record<string, unknown> }[];
  predicateType?: string;
}

function outputPayload(item: VerifiedItem, dockerReference: string): unknown {
  if (item.layout === 'bundle') {
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
  const payload = item.payload as { critical: unknown; optional: Record<string, unknown> | null };
  const optional: Record<string, unknown> = { ...(payload.optional ?? {}) };
  if (item.identity) {
    optional.Subject = item.identity.subjectAlternativeNames[0] ?? '';
    if (item.identity.issuer) {
      optional.Issuer = item.identity.issuer;
      optional['1.3.6.1.4.1.57264.1.1'] = item.identity.issuer;
    }
  }
  if (item.rekorBundle) optional.Bundle = item.rekorBundle;
  return { ...payload, optional: Object.keys(optional).length ? optional : null };
}

/** The envelope as stored (legacy layers) or as JSON (bundles), one line. */
function envelopeLine(item: VerifiedItem): string {
  if (item.rawEnvelope) return item.rawEnvelope.toString('utf8').trim();
  return JSON.stringify(item.envelope);
}
