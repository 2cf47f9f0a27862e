import { Command } from 'commander';
import { reportError, SIGNET_ERRORS } from './exit.js';
import { pflagBooleans } from './bool-flags.js';
import { packageVersion, registerVersion } from './version.js';

// `signet --help | head`: a closed pipe ends the output, quietly, as it ends a Go program.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

const DESCRIPTION = 'Sigstore rebuilt in TypeScript: transparency log, certificate authority and signing client';

type Register = (program: Command) => void;

/**
 * The command modules, in help order, each with the top-level commands it adds. A run names its command first
 * (`signet sign-blob ...`), so only that module loads; `--help`, `help`, no command or a name not listed here load
 * them all (a command missing from its list still works, it only starts slower).
 */
const COMMANDS: Array<[names: string[], load: () => Promise<Register>]> = [
  [['up'], async () => (await import('./up.js')).registerUp],
  [
    ['log'],
    async () => {
      const [{ registerLogServe }, { registerLogClient }] = await Promise.all([
        import('./log-serve.js'),
        import('./log-client.js'),
      ]);
      return (program) => {
        const log = program
          .command('log')
          .description('the transparency log: serve it (Rekor v1 API) or use it (rekor-cli)');
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
    ['login', 'triangulate', 'tree', 'download', 'upload', 'copy', 'clean'],
    async () => (await import('./registry.js')).registerRegistry,
  ],
  [['monitor'], async () => (await import('./monitor.js')).registerMonitor],
  [['initialize'], async () => (await import('./tuf.js')).registerInitialize],
  [['tuf'], async () => (await import('./tuf.js')).registerTuf],
  [['bundle'], async () => (await import('./bundle-create.js')).registerBundle],
  [['trusted-root'], async () => (await import('./trusted-root.js')).registerTrustedRoot],
  [['env'], async () => (await import('./env.js')).registerEnv],
  [['version'], async () => (program) => registerVersion(program, 'signet', DESCRIPTION)],
];

const program = new Command('signet')
  .description(DESCRIPTION)
  .version(packageVersion())
  .showSuggestionAfterError()
  .configureOutput(SIGNET_ERRORS)
  .exitOverride();

const args = process.argv.slice(2);
const named = COMMANDS.filter(([names]) => args[0] !== undefined && names.includes(args[0]));
for (const register of await Promise.all((named.length ? named : COMMANDS).map(([, load]) => load()))) {
  register(program);
}

try {
  await program.parseAsync(pflagBooleans(program, args), { from: 'user' });
} catch (e) {
  process.exitCode = reportError(e);
}
