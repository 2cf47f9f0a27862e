import { Command } from 'commander';
import { reportError, SIGNET_ERRORS } from './exit.js';
import { pflagBooleans } from './bool-flags.js';
import { registerVersion } from './version.js';
import { packageVersion } from './version-info.js';
import { DESCRIPTION, summary } from './commands.js';

type Register = (program: Command) => void;

/**
 * The command modules, in help order, each with the top-level commands it adds. A run names its command first
 * (`signet sign-blob ...`), so only that module loads; a name not listed here loads them all (a command missing from
 * its list still works, it only starts slower). The top-level help (`--help`, `help`, no command) is printed by
 * main.ts from the manifest in commands.ts without coming here.
 */
const MODULES: Array<[names: string[], load: () => Promise<Register>]> = [
  [['up'], async () => (await import('./up.js')).registerUp],
  [
    ['log'],
    async () => {
      const [{ registerLogServe }, { registerLogClient }] = await Promise.all([
        import('./log-serve.js'),
        import('./log-client.js'),
      ]);
      return (program) => {
        const log = program.command('log').description(summary('log'));
        registerLogServe(log);
        registerLogClient(log);
        registerVersion(log, 'signet log', 'the transparency log client and server (rekor-cli)');
      };
    },
  ],
  [['ca'], async () => (await import('./ca.js')).registerCa],
  [['tsa'], async () => (await import('./tsa.js')).registerTsa],
  [['oidc'], async () => (await import('./oidc.js')).registerOidc],
  [['generate-key-pair', 'import-key-pair', 'public-key'], async () => (await import('./keys.js')).registerKeys],
  [['sign-blob', 'attest-blob'], async () => (await import('./sign-blob.js')).registerSignBlob],
  [['verify-blob', 'verify-blob-attestation'], async () => (await import('./verify-blob.js')).registerVerifyBlob],
  [
    ['sign', 'attest', 'attach', 'verify', 'verify-attestation'],
    async () => (await import('./image.js')).registerImage,
  ],
  [
    ['login', 'triangulate', 'generate', 'tree', 'download', 'upload', 'copy', 'clean'],
    async () => (await import('./registry.js')).registerRegistry,
  ],
  [['save', 'load'], async () => (await import('./layout.js')).registerLayout],
  [['monitor'], async () => (await import('./monitor.js')).registerMonitor],
  [['initialize'], async () => (await import('./tuf.js')).registerInitialize],
  [['tuf'], async () => (await import('./tuf.js')).registerTuf],
  [['bundle'], async () => (await import('./bundle-create.js')).registerBundle],
  [['trusted-root'], async () => (await import('./trusted-root.js')).registerTrustedRoot],
  [['signing-config'], async () => (await import('./signing-config.js')).registerSigningConfig],
  [['env'], async () => (await import('./env.js')).registerEnv],
  [['version'], async () => (program) => registerVersion(program, 'signet', DESCRIPTION)],
];

/** The full program with the modules of the commands `args` names (all of them when it names none). */
export async function buildProgram(args: string[]): Promise<Command> {
  const program = new Command('signet')
    .description(DESCRIPTION)
    .version(packageVersion())
    .showSuggestionAfterError()
    .configureOutput(SIGNET_ERRORS)
    .exitOverride();
  // `signet help <cmd>` is `signet <cmd> --help`: it needs only that command's module too.
  const name = args[0] === 'help' ? args[1] : args[0];
  const named = MODULES.filter(([names]) => name !== undefined && names.includes(name));
  for (const register of await Promise.all((named.length ? named : MODULES).map(([, load]) => load()))) {
    register(program);
  }
  return program;
}

/** Runs the command line `args` (user arguments, no node/script) through commander. */
export async function run(args: string[]): Promise<void> {
  const program = await buildProgram(args);
  try {
    await program.parseAsync(pflagBooleans(program, args), { from: 'user' });
  } catch (e) {
    process.exitCode = reportError(e);
  }
}
