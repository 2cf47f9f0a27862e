import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import { invalidInput, isSignetError } from '../errors.js';
import type { DsseEnvelope } from '../bundle/index.js';
import type { ImageTarget } from '../image/index.js';
import type { ImageSession } from '../oci/index.js';
import { CliExit } from './exit.js';
import { readInput } from './files.js';
import { transferProgress } from './progress.js';
import { registerImageVerify } from './image-verify.js';
import { addRegistryOptions, registryOptions } from './registry-options.js';
import { addSigningOptions, info, resolveServices, signerFor, tlogOptions, type SignFlags } from './signing-flags.js';
import { summary } from './commands.js';
import { annotationOption, parseAnnotations } from './annotations.js';

/** Loaded by the command that runs, so `signet --help` does not load it. */
const bundleCode = () => import('../bundle/index.js');
const imageCode = () => import('../image/index.js');
const ociCode = () => import('../oci/index.js');
const signCode = () => import('../sign/index.js');
const verifyCode = () => import('../verify/index.js');

interface ImageSignFlags extends SignFlags {
  annotations?: string[];
  recursive?: boolean;
  attachment?: string;
}

interface AttestFlags extends SignFlags {
  predicate: string;
  type: string;
  replace?: boolean;
}

/** cosign's image commands: sign, verify, attest, verify-attestation, attach sbom. */
export function registerImage(program: Command): void {
  addRegistryOptions(
    addSigningOptions(
      program
        .command('sign')
        .description(summary('sign'))
        .argument('<image...>', 'images to sign, best by digest (registry/repo@sha256:...)'),
    ),
  )
    .addOption(annotationOption())
    .option('-r, --recursive', 'for an index, also sign every manifest it lists')
    .addOption(attachmentOption())
    .addHelpText(
      'after',
      `
--new-bundle-format (cosign v3's default, true) pushes a Sigstore bundle as an OCI 1.1 referrer;
--new-bundle-format=false writes cosign's legacy layout (a layer in the sha256-<hex>.sig tag).

Examples:
  signet sign --key cosign.key --rekor-url http://127.0.0.1:3000 localhost:5000/app@sha256:...
  signet sign --signing-config http://127.0.0.1:3000/signing_config.json --identity-token "$TOKEN" \\
      --new-bundle-format=false localhost:5000/app@sha256:...`,
    )
    .action(async (images: string[], flags: ImageSignFlags) => {
      const annotations = parseAnnotations(flags.annotations);
      const { openImage } = await ociCode();
      const sessions = images.map((image) =>
        openImage(image, registryOptions(flags as unknown as Record<string, unknown>)),
      );
      // As cosign v3: a bundle referrer takes the signing config's choice (Rekor v2 + TSA when listed); the legacy
      // layout's annotations carry a SET, which only a v1 log signs.
      const services = await resolveServices(flags, flags.newBundleFormat ? 2 : 1);
      const signer = await signerFor(flags, services);
      for (const session of sessions) {
        await warnOnTag(session);
        for (const target of await signTargets(session, flags)) {
          const pushTo = (await ociCode()).repositoryName(target.ref);
          info(`Pushing signature to: ${pushTo}`, true);
          const signed = await (
            await imageCode()
          ).signImage(session, target, {
            signer,
            annotations,
            ...tlogOptions(services),
            tlogUpload: flags.tlogUpload,
            tsaUrl: services.tsaUrl,
            newBundleFormat: flags.newBundleFormat,
            dockerMediaTypes: dockerMediaTypes(),
          });
          if (signed.tlogEntry) info(`tlog entry created with index: ${signed.tlogEntry.logIndex}`, true);
          if (flags.bundle) await writeFile(flags.bundle, (await bundleCode()).serializeBundle(signed.bundle));
        }
      }
    });

  addRegistryOptions(
    addSigningOptions(
      program.command('attest').description(summary('attest')).argument('<image>', 'the image, best by digest'),
    ),
  )
    .requiredOption('--predicate <file>', "the predicate file ('-' for stdin)")
    .option(
      '--type <type>',
      'custom, slsaprovenance, slsaprovenance02, slsaprovenance1, link, spdx, spdxjson, cyclonedx, vuln, openvex, or a URI',
      'custom',
    )
    .option('--replace', 'legacy layout: replace earlier attestations of the same predicate type')
    .addHelpText(
      'after',
      '\nExample:\n  signet attest --key cosign.key --rekor-url http://127.0.0.1:3000 --type slsaprovenance1 \\\n' +
        '      --predicate prov.json localhost:5000/app@sha256:...',
    )
    .action(async (image: string, flags: AttestFlags) => {
      const predicateType = (await verifyCode()).predicateTypeFor(flags.type);
      const predicate = (await signCode()).predicateFrom(predicateType, await readInput(flags.predicate, 'predicate'));
      const session = (await ociCode()).openImage(image, registryOptions(flags as unknown as Record<string, unknown>));
      // As cosign v3: a bundle referrer takes the signing config's choice (Rekor v2 + TSA when listed); the legacy
      // layout's annotations carry a SET, which only a v1 log signs.
      const services = await resolveServices(flags, flags.newBundleFormat ? 2 : 1);
      const signer = await signerFor(flags, services);
      await warnOnTag(session);
      const [target] = await resolveTargets(session, false, undefined, 1);
      await (
        await imageCode()
      ).attestImage(session, target!, {
        signer,
        predicateType,
        predicate,
        replace: flags.replace,
        ...tlogOptions(services),
        tlogUpload: flags.tlogUpload,
        tsaUrl: services.tsaUrl,
        newBundleFormat: flags.newBundleFormat,
        dockerMediaTypes: dockerMediaTypes(),
      });
      info(`Pushed attestation (${predicateType}) for ${(await ociCode()).formatReference(target!.ref)}`, true);
    });

  const attach = program.command('attach').description(summary('attach'));
  addRegistryOptions(
    attach
      .command('sbom')
      .description("attach an SBOM at the image's sha256-<hex>.sbom tag (sign it with `sign --attachment sbom`)")
      .argument('<image>', 'the image')
      .requiredOption('--sbom <file>', 'the SBOM file')
      .addOption(new Option('--type <type>', 'SBOM type').choices(['spdx', 'cyclonedx', 'syft']).default('spdx'))
      .addOption(new Option('--input-format <format>', 'SBOM encoding').choices(['json', 'xml', 'text'])),
  ).action(async (image: string, flags: { sbom: string; type: string; inputFormat?: string }) => {
    const mediaType = (await imageCode()).sbomMediaType(flags.type, flags.inputFormat);
    const sbom = await readInput(flags.sbom, 'SBOM');
    const progress = transferProgress('uploading SBOM');
    const session = (await ociCode()).openImage(
      image,
      registryOptions(flags as unknown as Record<string, unknown>, progress.update),
    );
    const [target] = await resolveTargets(session, false, undefined, 1);
    const tag = (await ociCode()).attachmentTag(target!.descriptor.digest, 'sbom');
    info('WARNING: Attaching SBOMs this way does not sign them. To sign them, use `signet sign --attachment sbom`.');
    info(
      `Uploading SBOM file for [${(await ociCode()).formatReference(target!.ref)}] to [${(await ociCode()).repositoryName(target!.ref)}:${tag}] with mediaType [${mediaType}].`,
      true,
    );
    await (await imageCode()).attachSbom(session, target!, sbom, mediaType);
    progress.done();
  });

  addRegistryOptions(
    attach
      .command('signature')
      .description('attach a signature made elsewhere (over `signet generate`) to the image (cosign attach signature)')
      .argument('<image>', 'the image')
      .requiredOption('--signature <file>', 'the base64 signature, or - for stdin')
      .option(
        '--payload <file>',
        "the signed payload (default: the image's simple-signing payload); or a Sigstore bundle",
      )
      .option('--bundle <file>', 'alias of --payload (cosign)')
      .option('--certificate <file>', 'PEM signing certificate to include')
      .option('--certificate-chain <file>', 'PEM chain of the certificate (intermediates, then root) to include')
      .option(
        '--rekor-response <file>',
        "cosign's old blob bundle (sign-blob --new-bundle-format=false): its Rekor bundle is stapled",
      )
      .option('--tsr <file>', 'RFC 3161 timestamp response (not supported)')
      .addHelpText(
        'after',
        '\nExample:\n  signet generate IMAGE > payload.json   # sign payload.json elsewhere, then:\n' +
          '  signet attach signature --payload payload.json --signature payload.sig IMAGE',
      ),
  ).action(async (image: string, flags: AttachSignatureFlags) => {
    if (flags.tsr) {
      throw new CliExit(1, 'RFC 3161 timestamps on image signatures are not supported yet (--tsr)', 'leave out --tsr');
    }
    const payloadFile = flags.payload ?? flags.bundle;
    const payload = payloadFile ? await readInput(payloadFile, 'payload') : undefined;
    const session = (await ociCode()).openImage(image, registryOptions(flags as unknown as Record<string, unknown>));
    const [target] = await resolveTargets(session, false, undefined, 1);
    const bundleJson = payload && sigstoreBundleJson(payload);
    if (bundleJson) {
      await (await imageCode()).attachBundle(session, target!, bundleJson);
      return;
    }
    const signature = (await readInput(flags.signature, 'signature')).toString('utf8').trim();
    if (!signature) throw new CliExit(1, 'empty signature');
    if (!/^[A-Za-z0-9+/=\s]+$/.test(signature)) {
      throw invalidInput(`the signature ${flags.signature} is not base64`);
    }
    const rekorBundle = flags.rekorResponse ? await rekorResponse(flags.rekorResponse) : undefined;
    await (
      await imageCode()
    ).attachSignature(session, target!, {
      signature: signature.replace(/\s+/g, ''),
      ...(payload ? { payload } : {}),
      ...(flags.certificate ? { certificatePem: (await readInput(flags.certificate, 'certificate')).toString() } : {}),
      ...(flags.certificateChain
        ? { chainPem: (await readInput(flags.certificateChain, 'certificate chain')).toString() }
        : {}),
      ...(rekorBundle ? { rekorBundle } : {}),
      dockerMediaTypes: dockerMediaTypes(),
    });
  });

  addRegistryOptions(
    attach
      .command('attestation')
      .description('attach signed attestations made elsewhere to the image (cosign attach attestation)')
      .argument('<image>', 'the image')
      .requiredOption(
        '--attestation <file>',
        'a DSSE envelope (attest-blob --output-signature) or a Sigstore bundle; repeatable',
        (v: string, prev: string[] = []) => [...prev, v],
      ),
  ).action(async (image: string, flags: { attestation: string[] }) => {
    const session = (await ociCode()).openImage(image, registryOptions(flags as unknown as Record<string, unknown>));
    await warnOnTag(session);
    const [target] = await resolveTargets(session, false, undefined, 1);
    for (const file of flags.attestation) {
      info(`Using payload from: ${file}`);
      const text = await readInput(file, 'attestation');
      const bundleJson = sigstoreBundleJson(text);
      if (bundleJson) await (await imageCode()).attachBundle(session, target!, bundleJson);
      else await (await imageCode()).attachAttestation(session, target!, dsseEnvelope(text, file), dockerMediaTypes());
    }
  });

  registerImageVerify(program);
}

interface AttachSignatureFlags {
  signature: string;
  payload?: string;
  bundle?: string;
  certificate?: string;
  certificateChain?: string;
  rekorResponse?: string;
  tsr?: string;
}

/** The JSON of a Sigstore bundle (cosign checks for one first), or undefined for anything else. */
function sigstoreBundleJson(bytes: Buffer): unknown {
  try {
    const json = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown };
    return typeof json?.mediaType === 'string' && json.mediaType.startsWith('application/vnd.dev.sigstore.bundle')
      ? json
      : undefined;
  } catch {
    return undefined;
  }
}

function dsseEnvelope(bytes: Buffer, file: string): DsseEnvelope {
  try {
    const env = JSON.parse(bytes.toString('utf8')) as DsseEnvelope;
    if (typeof env?.payload === 'string') return env;
  } catch {
    // reported below
  }
  throw invalidInput(`the attestation ${file} is not a DSSE envelope nor a Sigstore bundle`);
}

/** `--rekor-response`: cosign's old blob bundle (LocalSignedPayload); its `rekorBundle` is what gets stapled. */
async function rekorResponse(file: string): Promise<unknown> {
  let json: { rekorBundle?: unknown };
  try {
    json = JSON.parse((await readInput(file, 'rekor response')).toString('utf8')) as typeof json;
  } catch (e) {
    throw invalidInput(`the rekor response ${file} is not JSON`, e);
  }
  if (!json?.rekorBundle) {
    throw new CliExit(
      1,
      `the rekor response ${file} has no rekorBundle`,
      'give the bundle of `sign-blob --new-bundle-format=false --bundle FILE`',
    );
  }
  return json.rekorBundle;
}

export function attachmentOption(): Option {
  return new Option('--attachment <type>', "act on the image's attached SBOM instead of the image").choices(['sbom']);
}

/**
 * The image's manifests, or its attached SBOM's manifest with `--attachment sbom`; a missing tag is exit 11 (cosign
 * `verify`'s code; other commands exit 1).
 */
export async function resolveTargets(
  session: ImageSession,
  recursive: boolean,
  attachment?: string,
  tagNotFoundCode = 11,
) {
  let targets: ImageTarget[];
  try {
    targets = await (await imageCode()).imageTargets(session, recursive);
  } catch (e) {
    if (isSignetError(e, 'not-found')) throw new CliExit(tagNotFoundCode, `image tag not found: ${e.message}`);
    throw e;
  }
  if (attachment === 'sbom') return [await (await imageCode()).sbomTarget(session, targets[0]!)];
  return targets;
}

function signTargets(session: ImageSession, flags: ImageSignFlags) {
  return resolveTargets(session, !!flags.recursive, flags.attachment, 1);
}

async function warnOnTag(session: ImageSession): Promise<void> {
  if (session.ref.digest) return;
  process.stderr.write(
    `WARNING: Image reference ${(await ociCode()).formatReference(session.ref)} uses a tag, not a digest, to identify the image to sign.\n` +
      '    This can lead you to sign a different image than the intended one. Please use a\n' +
      '    digest (example.com/ubuntu@sha256:abc123...) rather than tag\n' +
      '    (example.com/ubuntu:latest) for the input to signet.\n\n',
  );
}

/** cosign's COSIGN_DOCKER_MEDIA_TYPES: Docker schema 2 manifests for registries that reject OCI ones. */
function dockerMediaTypes(): boolean {
  const v = process.env.COSIGN_DOCKER_MEDIA_TYPES;
  return v === '1' || v === 'true';
}
