import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { invalidInput } from '../errors.js';
import type { AttachmentKind, CleanType } from '../oci/index.js';
import { CliExit } from './exit.js';
import { transferProgress } from './progress.js';
import { addRegistryOptions, registryOptions } from './registry-options.js';
import { summary } from './commands.js';
import { annotationOption, parseAnnotations } from './annotations.js';

/** Loaded by the command that runs, so `signet --help` does not load it. */
const ociCode = () => import('../oci/index.js');

/** Registry housekeeping commands of cosign: login, triangulate, tree, download, upload blob, copy, clean. */
export function registerRegistry(program: Command): void {
  program
    .command('login <server>')
    .description(summary('login'))
    .requiredOption('-u, --username <name>', 'user name')
    .option('-p, --password <password>', 'password (prefer --password-stdin)')
    .option('--password-stdin', 'read the password from stdin')
    .action(async (server: string, opts: { username: string; password?: string; passwordStdin?: boolean }) => {
      const password = opts.passwordStdin ? readFileSync(0, 'utf8').replace(/\r?\n$/, '') : opts.password;
      if (password === undefined) throw new CliExit(1, 'a password is required', 'pass --password-stdin');
      (await ociCode()).storeCredentials(
        (await ociCode()).parseReference(`${server}/x`).registry,
        opts.username,
        password,
      );
      console.error(`logged in to ${server}`);
    });

  addRegistryOptions(
    program
      .command('triangulate <image>')
      .description(summary('triangulate'))
      .addOption(
        new Option('--type <type>', 'attachment type').choices(['signature', 'attestation', 'sbom', 'digest']),
      ),
  ).action(async (image: string, opts: Record<string, unknown>) => {
    const { ref } = await (await ociCode()).resolveImage((await ociCode()).openImage(image, registryOptions(opts)));
    const type = (opts.type as string | undefined) ?? 'signature';
    if (type === 'digest') return void console.log((await ociCode()).formatReference(ref));
    const kind = ({ signature: 'sig', attestation: 'att', sbom: 'sbom' } as const)[type as 'signature'];
    console.log(`${(await ociCode()).repositoryName(ref)}:${(await ociCode()).attachmentTag(ref.digest!, kind)}`);
  });

  addRegistryOptions(
    program
      .command('generate <image>')
      .description(summary('generate'))
      .addOption(annotationOption())
      .addHelpText(
        'after',
        '\nExample (sign elsewhere, attach with the signature):\n  signet generate reg.example/app:v1 > payload.json',
      ),
  ).action(async (image: string, opts: Record<string, unknown>) => {
    const oci = await ociCode();
    const annotations = parseAnnotations(opts.annotations as string[] | undefined);
    const { ref } = await oci.resolveImage(oci.openImage(image, registryOptions(opts)));
    // The exact bytes cosign signs, with no newline, so they can be piped into a signer.
    process.stdout.write(oci.simpleSigningPayload(oci.repositoryName(ref), ref.digest!, annotations));
  });

  addRegistryOptions(
    program
      .command('tree <image>')
      .description(summary('tree'))
      // cosign's deprecated flag: signet always lists OCI referrers.
      .addOption(new Option('--experimental-oci11').hideHelp()),
  ).action(async (image: string, opts: Record<string, unknown>) => {
    const session = (await ociCode()).openImage(image, registryOptions(opts));
    const { ref } = await (await ociCode()).resolveImage(session);
    const tree = await (await ociCode()).attachmentTree(session.client, ref.repository, ref.digest!);
    const label = { sig: '🔐 Signatures', att: '💾 Attestations', sbom: '📦 SBOMs' };
    console.log(`📦 Supply Chain Security Related artifacts for an image: ${(await ociCode()).formatReference(ref)}`);
    for (const t of tree.tags) {
      console.log(`└── ${label[t.kind]} for an image tag: ${(await ociCode()).repositoryName(ref)}:${t.tag}`);
      for (const layer of t.layers) console.log(`   └── 🍒 ${layer.digest}`);
    }
    for (const r of tree.referrers) {
      const type = r.annotations?.[(await ociCode()).BUNDLE_PREDICATE_TYPE_ANNOTATION] ?? r.artifactType ?? r.mediaType;
      console.log(`└── 🔗 ${type} artifacts via OCI referrer: ${(await ociCode()).repositoryName(ref)}@${r.digest}`);
    }
    if (!tree.tags.length && !tree.referrers.length) console.log('No Supply Chain Security Related Artifacts found');
  });

  const download = program.command('download').description(summary('download'));
  for (const [name, kind] of [
    ['signature', 'sig'],
    ['attestation', 'att'],
    ['sbom', 'sbom'],
  ] as const) {
    const cmd = addRegistryOptions(download.command(`${name} <image>`).description(`print the image's ${name}s`))
      .option('--platform <os/arch[/variant]>', "for an index: that platform's image")
      .action(async (image: string, opts: Record<string, unknown>) => downloadAttachments(image, kind, opts));
    if (kind === 'att') {
      cmd.option('--predicate-type <type>', 'only attestations of this predicate type (a name like spdx, or a URI)');
    }
  }

  const upload = program.command('upload').description(summary('upload'));
  const list = (v: string, prev: string[] = []) => [...prev, ...v.split(',').filter(Boolean)];
  addRegistryOptions(
    upload
      .command('blob <image>')
      .description(
        'upload a file as a single-layer image (several, each FILE:os/arch, as a multi-platform index) and print its digest reference',
      )
      .requiredOption('-f, --files <file[:os/arch]>', 'the file to upload; repeatable or comma-separated', list)
      .option('--ct <type>', 'the layer media type', 'text/plain')
      .option('-a, --annotation <key=value>', 'manifest annotation; repeatable or comma-separated', list),
  ).action(async (image: string, opts: Record<string, unknown>) => {
    const oci = await ociCode();
    const specs = opts.files as string[];
    const annotations = parseAnnotations(opts.annotation as string[] | undefined);
    const files = specs.map((spec) => {
      // cosign's FILE[:os[/arch]]: the platform after the first colon.
      const colon = spec.indexOf(':');
      const path = colon < 0 ? spec : spec.slice(0, colon);
      const platform = colon < 0 ? undefined : oci.parsePlatform(spec.slice(colon + 1));
      if (specs.length > 1 && !platform) {
        throw new CliExit(
          1,
          `each file must include a unique platform, ${path} had no platform`,
          'write -f FILE:os/arch for each file',
        );
      }
      let data: Buffer;
      try {
        data = readFileSync(path);
      } catch (e) {
        throw invalidInput(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
      }
      return { path, data, mediaType: opts.ct as string, ...(platform ? { platform } : {}) };
    });
    const progress = transferProgress('uploading');
    const session = oci.openImage(image, registryOptions(opts, progress.update));
    const where = oci.formatReference(session.ref);
    for (const f of files)
      console.error(`Uploading file from [${f.path}] to [${where}] with media type [${f.mediaType}]`);
    const { digest, layers } = await oci.uploadBlobImage(session, files, annotations);
    progress.done();
    const repo = oci.repositoryName(session.ref);
    files.forEach((f, i) =>
      console.error(
        `File [${f.path}] is available directly at [${repo.replace(/^([^/]+)\//, '$1/v2/')}/blobs/${layers[i]!.digest}]`,
      ),
    );
    if (files.length > 1) console.error(`Uploading multi-platform index to ${repo}@${digest}`);
    else console.error('Uploaded image to:');
    console.log(`${repo}@${digest}`);
  });

  addRegistryOptions(
    program
      .command('copy <source> <destination>')
      .description(summary('copy'))
      .option('--only <kinds>', 'comma-separated subset of sig,att,sbom')
      .option('--platform <os/arch[/variant]>', "copy only this platform's image of an index, with its attachments")
      .option('-f, --force', 'overwrite destination tags that name other manifests (else that is an error)')
      .addOption(new Option('--sig-only', 'deprecated: --only sig').hideHelp()),
  ).action(async (source: string, destination: string, opts: Record<string, unknown>) => {
    const oci = await ociCode();
    if (opts.sigOnly) {
      process.stderr.write('WARNING: --sig-only is deprecated, use --only=sig instead\n');
      opts.only = opts.only ? `${opts.only as string},sig` : 'sig';
    }
    const only = parseKinds(opts.only as string | undefined);
    const platform = opts.platform === undefined ? undefined : oci.parsePlatform(opts.platform as string);
    const progress = transferProgress('copying');
    const src = oci.openImage(source, registryOptions(opts, progress.update));
    const dst = oci.openImage(destination, registryOptions(opts, progress.update));
    const { ref, descriptor } = await oci.resolveImage(src);
    const image = platform
      ? await oci.manifestForPlatform(src.client, ref.repository, descriptor, platform)
      : descriptor;
    const copied = await oci.copyImageWithAttachments(
      { client: src.client, repo: ref.repository },
      { client: dst.client, repo: dst.ref.repository },
      image.digest,
      dst.ref.digest ? undefined : dst.ref.tag,
      only,
      !!opts.force,
    );
    progress.done();
    for (const c of copied) console.error(`copied ${c}`);
  });

  addRegistryOptions(
    program
      .command('clean <image>')
      .description(summary('clean'))
      .addOption(
        new Option('--type <type>', 'what to delete')
          .choices(['signature', 'attestation', 'sbom', 'referrer', 'all'])
          .default('all'),
      )
      .option('-f, --force', 'do not prompt'),
  ).action(async (image: string, opts: Record<string, unknown>) => {
    const session = (await ociCode()).openImage(image, registryOptions(opts));
    const { ref } = await (await ociCode()).resolveImage(session);
    if (!opts.force)
      await confirm(`this deletes ${opts.type} attachments of ${(await ociCode()).formatReference(ref)}`);
    const removed = await (
      await ociCode()
    ).cleanAttachments(session.client, ref.repository, ref.digest!, opts.type as CleanType);
    for (const r of removed) console.error(`Removed ${r} from ${(await ociCode()).repositoryName(ref)}`);
  });
}

async function downloadAttachments(image: string, kind: AttachmentKind, opts: Record<string, unknown>) {
  const oci = await ociCode();
  const wanted = opts.predicateType
    ? (await import('../verify/index.js')).predicateTypeFor(opts.predicateType as string)
    : undefined;
  const platform = opts.platform === undefined ? undefined : oci.parsePlatform(opts.platform as string);
  const session = oci.openImage(image, registryOptions(opts));
  const resolved = await oci.resolveImage(session);
  const { repository } = resolved.ref;
  const digest = platform
    ? (await oci.manifestForPlatform(session.client, repository, resolved.descriptor, platform)).digest
    : resolved.ref.digest!;
  let printed = 0;
  if (kind !== 'sbom') {
    for (const found of await oci.readBundleReferrers(session.client, repository, digest)) {
      if (wanted && statementType(found.bundle, 'dsseEnvelope') !== wanted) continue;
      process.stdout.write(found.bundle.toString('utf8').trim() + '\n');
      printed++;
    }
  }
  const layers = await oci.readAttachments(session.client, repository, digest, kind);
  for (const layer of layers) {
    if (wanted && (layer.annotations[oci.PREDICATE_TYPE_ANNOTATION] ?? statementType(layer.payload)) !== wanted) {
      continue;
    }
    printed++;
    if (kind === 'sig') {
      const a = layer.annotations;
      const line: Record<string, unknown> = {
        Base64Signature: a['dev.cosignproject.cosign/signature'] ?? '',
        Payload: layer.payload.toString('base64'),
      };
      if (a['dev.sigstore.cosign/certificate']) line.Cert = a['dev.sigstore.cosign/certificate'];
      if (a['dev.sigstore.cosign/chain']) line.Chain = a['dev.sigstore.cosign/chain'];
      if (a['dev.sigstore.cosign/bundle']) line.Bundle = JSON.parse(a['dev.sigstore.cosign/bundle']);
      process.stdout.write(JSON.stringify(line) + '\n');
    } else {
      process.stdout.write(layer.payload.toString('utf8').trim() + '\n');
    }
  }
  if (wanted && printed === 0) throw new CliExit(1, `no attestations with predicate type '${wanted}' found`);
}

/** The predicate type of the in-toto statement in a DSSE envelope (or in a bundle's, under `field`). */
function statementType(json: Buffer, field?: 'dsseEnvelope'): string | undefined {
  try {
    const parsed = JSON.parse(json.toString('utf8')) as Record<string, { payload?: string }> & { payload?: string };
    const payload = field ? parsed[field]?.payload : parsed.payload;
    if (typeof payload !== 'string') return undefined;
    return (JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as { predicateType?: string }).predicateType;
  } catch {
    return undefined;
  }
}

function parseKinds(only: string | undefined): AttachmentKind[] | undefined {
  if (!only) return undefined;
  const kinds = only.split(',').map((k) => k.trim());
  for (const k of kinds) {
    if (!['sig', 'att', 'sbom'].includes(k)) {
      throw invalidInput(`invalid value for --only: ${k}, only the following values are supported: sig, sbom, att`);
    }
  }
  return kinds as AttachmentKind[];
}

async function confirm(what: string): Promise<void> {
  if (!process.stdin.isTTY) throw new CliExit(1, `${what}; pass -f to confirm when not on a terminal`);
  process.stderr.write(`WARNING: ${what}.\nAre you sure you would like to continue? [y/N] `);
  const answer = await new Promise<string>((resolve) => process.stdin.once('data', (d) => resolve(String(d))));
  process.stdin.pause();
  if (!/^y/i.test(answer.trim())) throw new CliExit(1, 'user declined the prompt');
}
