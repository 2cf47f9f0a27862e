import { CommanderError } from 'commander';
import { SignetError } from '../errors.js';

/** Ends a command with a specific exit code (cosign's codes for verify failures, say) and a one-line message. */
export class CliExit extends Error {
  constructor(
    readonly exitCode: number,
    message = '',
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Commander's own usage errors (`error: unknown option ...`) in signet's one-line form. */
export const SIGNET_ERRORS = {
  outputError: (message: string, write: (s: string) => void) => write(`signet: ${message}`),
};

/**
 * Prints a failure the one way signet prints failures (age style: `signet: error: <what>`, then `signet: hint:`
 * when a fix is likely) and returns the exit code. Commander's own usage errors were already printed through
 * SIGNET_ERRORS when they arrive here.
 */
export function reportError(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode;
  if (e instanceof CliExit) {
    if (e.message) console.error(`signet: error: ${firstLine(e.message)}`);
    if (e.hint) console.error(`signet: hint: ${e.hint}`);
    return e.exitCode;
  }
  if (e instanceof SignetError) {
    console.error(`signet: error: ${firstLine(e.message)}`);
    const hint = e.detail.hint ?? (e.detail.option && OPTION_FLAGS[e.detail.option]);
    if (hint) console.error(`signet: hint: ${hint}`);
    return 1;
  }
  console.error(`signet: error: ${firstLine(e instanceof Error ? e.message : String(e))}`);
  if (process.env.SIGNET_DEBUG && e instanceof Error) console.error(e.stack);
  return 1;
}

/** Library options (an error's `detail.option`, see invalidOption) to the hint that names the flag setting them. */
const OPTION_FLAGS: Record<string, string> = {
  databaseUrl: 'check --database-url',
  oidcIssuer: 'check --oidc-issuer',
  witness: 'check --witness (name+hash+base64, as the witness publishes it)',
  offline: 'drop --offline, or pass --trusted-root as a file',
  rekorUrl: 'pass --rekor-url or --signing-config, or --tlog-upload=false',
  caChainFile: 'pass --ca-cert-chain and --ca-key together',
  key: 'give the public key (--key)',
  artifactHash: 'check --artifact-hash',
  publicKeys: "pass the signer's public key with --public-key",
  identityToken: 'pass --identity-token or set SIGSTORE_ID_TOKEN, or log in from a terminal (--oidc-issuer)',
  rootChecksum: 'check --root-checksum (sha256:<hex> or sha512:<hex> of root.json)',
  caPassword: 'set SIGNET_CA_PASSWORD or pass --password-file',
  tsaPassword: 'set SIGNET_TSA_PASSWORD or pass --password-file',
  allowDevOidcOnNetwork:
    'listen on 127.0.0.1 (--host 127.0.0.1), turn the dev provider off, or pass --allow-dev-oidc-on-network if every machine that can reach this port is trusted',
  port: 'pick another port with --port (above 1023; 0 = any free port)',
  devIssuer: 'is `signet up` running? pass its issuer with --issuer http://HOST:PORT/oidc',
};

const firstLine = (message: string) => message.split('\n')[0];
