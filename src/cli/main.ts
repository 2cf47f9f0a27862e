import { topLevelHelp } from './top-help.js';

// `signet --help | head`: a closed pipe ends the output, quietly, as it ends a Go program.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const args = process.argv.slice(2);
if (args.length === 0 || (args.length === 1 && ['--help', '-h', 'help'].includes(args[0]!))) {
  // The top-level help comes from the command manifest: no commander, no command module (as commander: no command
  // is a usage error, the help on stderr and exit code 1).
  const out = args.length === 0 ? process.stderr : process.stdout;
  out.write(topLevelHelp(out.isTTY ? out.columns : undefined));
  process.exitCode = args.length === 0 ? 1 : 0;
} else {
  await (await import('./program.js')).run(args);
}
