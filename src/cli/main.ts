import { Command, CommanderError } from 'commander';
import { SignetError } from '../errors.js';
import { CliExit } from './exit.js';
import { registerUp } from './up.js';
import { registerLogServe } from './log-serve.js';
import { registerLogClient } from './log-client.js';
import { registerCa } from './ca.js';
import { registerOidc } from './oidc.js';
import { registerKeys } from './keys.js';
import { registerSignBlob } from './sign-blob.js';
import { registerVerifyBlob } from './verify-blob.js';
import { registerImage } from './image.js';
import { registerRegistry } from './registry.js';

const program = new Command('signet')
  .description('Sigstore rebuilt in TypeScript: transparency log, certificate authority and signing client')
  .version('0.1.0')
  .showSuggestionAfterError()
  .exitOverride();

registerUp(program);
const log = program.command('log').description('the transparency log: serve it (Rekor v1 API) or use it (rekor-cli)');
registerLogServe(log);
registerLogClient(log);
registerCa(program);
registerOidc(program);
registerKeys(program);
registerSignBlob(program);
registerVerifyBlob(program);
registerImage(program);
registerRegistry(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.exitCode = report(e);
}

/** Prints one line for a failure (age style) and returns the exit code. */
function report(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode; // commander already printed usage or help
  if (e instanceof CliExit) {
    if (e.message) console.error(`signet: error: ${e.message}`);
    if (e.hint) console.error(`signet: hint: ${e.hint}`);
    return e.exitCode;
  }
  if (e instanceof SignetError) {
    console.error(`signet: error: ${e.message}`);
    if (e.detail.hint) console.error(`signet: hint: ${e.detail.hint}`);
    return 1;
  }
  const message = e instanceof Error ? e.message : String(e);
  console.error(`signet: error: ${message.split('\n')[0]}`);
  if (process.env.SIGNET_DEBUG && e instanceof Error) console.error(e.stack);
  return 1;
}
