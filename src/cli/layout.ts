import type { Command } from 'commander';
import { CliExit } from './exit.js';
import { transferProgress } from './progress.js';
import { addRegistryOptions, registryOptions } from './registry-options.js';
import { summary } from './commands.js';

/** Loaded by the command that runs, so `signet --help` does not load it. */
const ociCode = () => import('../oci/index.js');

interface LayoutFlags {
  dir: string;
}

/**
 * cosign's `save` and `load`: an image with its signatures, attestations, SBOM and referrer bundles in an OCI image
 * layout on disk (cosign's layout: index.json entries with `kind` annotations), and back into a registry. Both are a
 * copy with one end on disk, so they carry exactly what `copy` carries.
 */
export function registerLayout(program: Command): void {
  addRegistryOptions(
    program
      .command('save')
      .description(summary('save'))
      .argument('<image>', 'the image to save')
      .requiredOption('--dir <path>', 'directory to write the OCI image layout to (created if missing)')
      .addHelpText('after', '\nExample:\n  signet save --dir ./app-layout registry.example/app@sha256:...'),
  ).action(async (image: string, flags: LayoutFlags) => {
    const oci = await ociCode();
    const progress = transferProgress('saving');
    const src = oci.openImage(image, registryOptions(flags as unknown as Record<string, unknown>, progress.update));
    const { ref, descriptor } = await oci.resolveImage(src);
    const layout = oci.LayoutStore.create(flags.dir);
    const saved = await oci.copyImageWithAttachments(
      { client: src.client, repo: ref.repository },
      { client: layout, repo: '' },
      descriptor.digest,
      src.ref.tag ?? 'latest',
      undefined,
      true,
    );
    progress.done();
    for (const s of saved) console.error(`saved ${s}`);
  });

  addRegistryOptions(
    program
      .command('load')
      .description(summary('load'))
      .argument('<image>', 'where to push the image (a tag, or a digest)')
      .requiredOption('--dir <path>', 'the OCI image layout written by `signet save` or `cosign save`')
      .addHelpText('after', '\nExample:\n  signet load --dir ./app-layout registry.example/app:v1'),
  ).action(async (image: string, flags: LayoutFlags) => {
    const oci = await ociCode();
    const layout = oci.LayoutStore.open(flags.dir);
    const progress = transferProgress('loading');
    const dst = oci.openImage(image, registryOptions(flags as unknown as Record<string, unknown>, progress.update));
    const saved = await layout.headManifest('', 'latest');
    if (!saved) {
      throw new CliExit(1, `${flags.dir} holds no image (no index.json entry of kind ${oci.LAYOUT_KINDS.image})`);
    }
    if (dst.ref.digest && dst.ref.digest !== saved.digest) {
      throw new CliExit(
        1,
        `the saved image is ${saved.digest}, not ${dst.ref.digest}`,
        'load it by tag, or name its digest',
      );
    }
    // As cosign's load: what is there is overwritten.
    const loaded = await oci.copyImageWithAttachments(
      { client: layout, repo: '' },
      { client: dst.client, repo: dst.ref.repository },
      saved.digest,
      dst.ref.digest ? undefined : dst.ref.tag,
      undefined,
      true,
    );
    progress.done();
    for (const l of loaded) console.error(`loaded ${l}`);
  });
}
