import type { Command } from 'commander';
import type { TrustedRoot } from '../bundle/index.js';
import type { VerifiedItem, VerifyImageOptions } from '../image/index.js';
import type { ImageSession } from '../oci/index.js';
import type { TrustMaterial } from '../verify/index.js';
import { CliExit } from './exit.js';
import { annotationOption, parseAnnotations } from './annotations.js';
import { attachmentOption, resolveTargets } from './image.js';
import { addRegistryOptions, registryOptions } from './registry-options.js';
import { boolFlag } from './bool-flags.js';
import { findEntryForSignature } from './tlog-lookup.js';
import { printAttestations, printSignatures, printVerificationHeader, type HeaderFacts } from './verify-output.js';
import {
  addVerifyOptions,
  rekorUrlOption,
  checkPolicyFlags,
  normaliseAliases,
  policyFrom,
  readPublicKey,
  trustFrom,
  type VerifyFlags,
} from './verify-flags.js';
import { summary } from './commands.js';

/** Loaded by the command that runs, so `signet --help` does not load it. */
const imageCode = () => import('../image/index.js');
const ociCode = () => import('../oci/index.js');
const verifyCode = () => import('../verify/index.js');

interface ImageVerifyFlags extends VerifyFlags {
  annotations?: string[];
  checkClaims: boolean;
  attachment?: string;
  output?: string;
  type?: string;
  localImage?: boolean;
}

/** `signet verify` and `signet verify-attestation`: cosign's output and exit codes (10 none, 11 no tag, 12 none matched). */
export function registerImageVerify(program: Command): void {
  verifyCommand(program, 'verify')
    .option('-o, --output <format>', 'json (the verified payloads) or text', 'json')
    .addOption(attachmentOption())
    .action(async (images: string[], flags: ImageVerifyFlags) => {
      const options = await verifyOptions(flags);
      for (const image of images) {
        const { session, name } = await openSource(image, flags);
        const verified: VerifiedItem[] = [];
        for (const target of await resolveTargets(session, false, flags.attachment)) {
          verified.push(
            ...(await withExitCodes((await imageCode()).verifyImageSignatures(session, target, options), true)),
          );
        }
        printVerificationHeader(name, headerFacts(flags), verified);
        printSignatures(verified, name, flags.output ?? 'json');
      }
    });

  verifyCommand(program, 'verify-attestation')
    .option(
      '--type <type>',
      'predicate type: custom, slsaprovenance1, spdx, cyclonedx, vuln, openvex, ... or a URI',
      'custom',
    )
    .option('-o, --output <format>', 'accepted for cosign compatibility (envelopes are always printed as JSON)')
    .action(async (images: string[], flags: ImageVerifyFlags) => {
      const options = await verifyOptions(flags);
      const predicateType = (await verifyCode()).predicateTypeFor(flags.type ?? 'custom');
      for (const image of images) {
        const { session, name } = await openSource(image, flags);
        const [target] = await resolveTargets(session, false, undefined, 1);
        const verified = await withExitCodes(
          (await imageCode()).verifyImageAttestations(session, target!, { ...options, predicateType }),
          false,
        );
        printVerificationHeader(name, headerFacts(flags), verified);
        printAttestations(verified);
      }
    });
}

function verifyCommand(program: Command, name: 'verify' | 'verify-attestation'): Command {
  return addRegistryOptions(
    addVerifyOptions(program.command(name).description(summary(name)).argument('<image...>', 'images to verify')),
  )
    .addOption(rekorUrlOption())
    .addOption(annotationOption())
    .addOption(boolFlag('--check-claims', 'check the signed payload names the image digest and -a annotations', true))
    .option('--local-image', 'the image argument is a directory written by `signet save` (or `cosign save`)');
}

/**
 * The image to verify and the name printed for it: a registry reference, or with --local-image a saved layout,
 * read from disk with no registry contact (cosign prints the path it was given).
 */
async function openSource(image: string, flags: ImageVerifyFlags): Promise<{ session: ImageSession; name: string }> {
  const oci = await ociCode();
  if (flags.localImage) {
    const client = oci.LayoutStore.open(image);
    return { session: { ref: { registry: client.registry, repository: '', tag: 'latest' }, client }, name: image };
  }
  const session = oci.openImage(image, registryOptions(flags as unknown as Record<string, unknown>));
  return { session, name: oci.formatReference(session.ref) };
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
    findTlogEntry: (digest, signature) => findEntryForSignature(flags.rekorUrl, digest, signature),
    ...(flags.newBundleFormat === undefined ? {} : { newBundleFormat: flags.newBundleFormat }),
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
    if (!(e instanceof (await imageCode()).NoMatchingSignaturesError)) throw e;
    throw new CliExit(cosignCodes ? (e.found === 0 ? 10 : 12) : 1, e.message);
  }
}

function headerFacts(flags: ImageVerifyFlags): HeaderFacts {
  return { checkClaims: flags.checkClaims, annotations: !!flags.annotations?.length, key: !!flags.key };
}
