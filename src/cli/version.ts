import type { Command } from 'commander';
import { boolFlag } from './bool-flags.js';
import { summary } from './commands.js';
import { renderVersion } from './version-info.js';

/** `version` as cosign and rekor-cli have it: text, or `--json`. */
export function registerVersion(parent: Command, name: string, description: string): void {
  parent
    .command('version')
    .description(summary('version'))
    .addOption(boolFlag('--json', 'print JSON instead of text'))
    .action((opts: { json: boolean }) => {
      process.stdout.write(renderVersion(name, description, opts.json));
    });
}
