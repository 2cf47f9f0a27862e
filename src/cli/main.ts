import { topLevelHelp } from './top-help.js';
import { DESCRIPTION } from './commands.js';
import { plainVersionRun, renderVersion } from './version-info.js';

// `signet --help | head`: a closed pipe ends the output, quietly, as it ends a Go program.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const args = process.argv.slice(2);
const version = plainVersionRun(args);
if (args.length === 0 || (args.length === 1 && ['--help', '-h', 'help'].includes(args[0]!))) {
  // The top-level help comes from the command manifest: no commander, no command module (as commander: no command
  // is a usage error, the help on stderr and exit code 1).
  const out = args.length === 0 ? process.stderr : process.stdout;
  out.write(topLevelHelp(out.isTTY ? out.columns : undefined));
  process.exitCode = args.length === 0 ? 1 : 0;
} else if (version) {
  // `signet version [--json]` needs no parser either (its --help and other values still go through commander).
  process.stdout.write(renderVersion('signet', DESCRIPTION, version.json));
} else {
  await (await import('./program.js')).run(args);
}
