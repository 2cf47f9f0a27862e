import { Command } from 'commander';
import { reportError, SIGNET_ERRORS } from './exit.js';
import { registerUp } from './up.js';
import { registerLogServe } from './log-serve.js';
import { registerLogClient } from './log-client.js';
import { registerCa } from './ca.js';
import { registerTsa } from './tsa.js';
import { registerOidc } from './oidc.js';
import { registerKeys } from './keys.js';
import { registerSignBlob } from './sign-blob.js';
import { registerVerifyBlob } from './verify-blob.js';
import { registerImage } from './image.js';
import { registerRegistry } from './registry.js';
import { registerMonitor } from './monitor.js';
import { registerInitialize, registerTuf } from './tuf.js';
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
const program = new Command('signet')
  .description(DESCRIPTION)
  .version(packageVersion())
  .showSuggestionAfterError()
  .configureOutput(SIGNET_ERRORS)
  .exitOverride();

registerUp(program);
const log = program.command('log').description('the transparency log: serve it (Rekor v1 API) or use it (rekor-cli)');
registerLogServe(log);
registerLogClient(log);
registerVersion(log, 'signet log', 'the transparency log client and server (rekor-cli)');
registerCa(program);
registerTsa(program);
registerOidc(program);
registerKeys(program);
registerSignBlob(program);
registerVerifyBlob(program);
registerImage(program);
registerRegistry(program);
registerMonitor(program);
registerInitialize(program);
registerTuf(program);
registerVersion(program, 'signet', DESCRIPTION);

try {
  await program.parseAsync(pflagBooleans(program, process.argv.slice(2)), { from: 'user' });
} catch (e) {
  process.exitCode = reportError(e);
}
