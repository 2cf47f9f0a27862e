import type { Command } from 'commander';
import { boolFlag } from './bool-flags.js';
import { summary } from './commands.js';

interface Variable {
  description: string;
  expects: string;
  sensitive?: boolean;
}

/**
 * The environment variables signet reads, named and described as cosign's `pkg/cosign/env` registers the ones it
 * shares with cosign, plus signet's own (`SIGNET_*`). Each one listed here is read somewhere in signet.
 */
const VARIABLES: Record<string, Variable> = {
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: {
    description: 'is bearer token for the request to the OIDC provider',
    expects: 'string with a bearer token',
    sensitive: true,
  },
  ACTIONS_ID_TOKEN_REQUEST_URL: {
    description: "is the URL for GitHub's OIDC provider",
    expects: 'string with the URL for the OIDC provider',
  },
  COSIGN_DOCKER_MEDIA_TYPES: {
    description: 'to be used with registries that do not support OCI media types',
    expects: '1 to fallback to legacy OCI media types equivalents (0 by default)',
  },
  COSIGN_PASSWORD: {
    description: 'overrides password inputs with this value',
    expects: 'string with a password (asks on stdin by default)',
    sensitive: true,
  },
  REKOR_REKOR_SERVER: {
    description:
      "is the log `signet log` commands use when --rekor_server is not given, over the config file (rekor-cli's viper variable; any REKOR_<FLAG> sets that flag)",
    expects: 'URL of a Rekor server',
  },
  REKOR_SERVER: {
    description: "is the log `signet log` commands use when --rekor_server is not given (rekor-cli's variable)",
    expects: 'URL of a Rekor server',
  },
  SIGNET_CA_CERT_LIFETIME_SECONDS: {
    description: "shortens the CA's certificate lifetime (10 minutes by default), to test expiry",
    expects: 'number of seconds, 1 to 600',
  },
  SIGNET_CA_PASSWORD: {
    description: "is the password of the CA's encrypted keys (ca serve, ca init)",
    expects: 'string with a password',
    sensitive: true,
  },
  SIGNET_DATABASE_URL: {
    description: 'is the PostgreSQL database of the logs when --database-url is not given (up, log serve)',
    expects: 'postgres://user@host:port/db URL (may hold a password; SQLite in the data dir by default)',
    sensitive: true,
  },
  SIGNET_DEBUG: {
    description: 'prints the stack trace of an unexpected error',
    expects: '1 to print stack traces (unset by default)',
  },
  SIGNET_DIGEST_VERIFY: {
    description: 'chooses how ECDSA signatures over a bare digest are verified',
    expects: 'js to skip the OpenSSL addon (native by default when built)',
  },
  SIGNET_LOG_LEVEL: {
    description: 'is the level of the JSON logs the servers write on stderr',
    expects: 'trace, debug, info, warn, error or fatal (info by default)',
  },
  SIGNET_PASSWORD: {
    description: 'is the key password when COSIGN_PASSWORD is not set',
    expects: 'string with a password',
    sensitive: true,
  },
  SIGNET_REGISTRY_PASSWORD: {
    description: 'is the registry password when --registry-password is not given',
    expects: 'string with a password',
    sensitive: true,
  },
  SIGNET_REKOR_URL: {
    description: 'is the log used for online look-ups and `signet log` commands when no flag names one',
    expects: 'URL of a Rekor server (public-good by default)',
  },
  SIGNET_TSA_PASSWORD: {
    description: "is the password of the timestamp authority's encrypted key (tsa serve)",
    expects: 'string with a password',
    sensitive: true,
  },
  SIGNET_TUF_PASSWORD: {
    description: "is the password of the TUF repository's root keys (up, tuf)",
    expects: 'string with a password (<data-dir>/tuf/root-password by default)',
    sensitive: true,
  },
  SIGSTORE_CT_LOG_PUBLIC_KEY_FILE: {
    description: 'overrides what is used to validate the SCT coming back from Fulcio',
    expects: 'path to the public key file',
  },
  SIGSTORE_ID_TOKEN: {
    description: 'is a OIDC token used to authenticate to Fulcio',
    expects: 'string with a OIDC token',
    sensitive: true,
  },
  SIGSTORE_REKOR_PUBLIC_KEY: {
    description: 'if specified, you can specify an oob Public Key that Rekor uses',
    expects: 'path to the public key',
  },
  SIGSTORE_ROOT_FILE: {
    description: 'overrides the public good instance root CA',
    expects: 'path to the root CA',
  },
  TUF_MIRROR: {
    description:
      'URL of the TUF mirror. Use with TUF_ROOT_JSON to refresh TUF metadata during signing and verification',
    expects: 'URL of the TUF mirror',
  },
  TUF_ROOT: {
    description: 'path to the TUF cache directory',
    expects: 'path to the TUF cache directory',
  },
  TUF_ROOT_JSON: {
    description: 'path to the TUF root.json file used to initialize and update a local TUF repository',
    expects: 'path to root.json',
  },
};

/** Prefixes of variables that may influence signet although it does not list them: printed when set. */
const PREFIXES = ['COSIGN_', 'SIGSTORE_', 'TUF_', 'SIGNET_'];

/** `signet env` (cosign env): the environment variables signet reads, with their values. */
export function registerEnv(program: Command): void {
  program
    .command('env')
    .description(summary('env'))
    .addOption(boolFlag('--show-descriptions', 'show descriptions for environment variables', true))
    .addOption(boolFlag('--show-sensitive-values', 'show values of sensitive environment variables'))
    .action((flags: { showDescriptions: boolean; showSensitiveValues?: boolean }) => {
      process.stdout.write(envText(process.env, flags.showDescriptions, !!flags.showSensitiveValues));
    });
}

/** cosign's layout: per variable `# NAME description`, `# Expects: ...`, `NAME=value` (sensitive: `******`). */
export function envText(env: NodeJS.ProcessEnv, descriptions: boolean, sensitive: boolean): string {
  let out = '';
  for (const name of Object.keys(VARIABLES).sort()) {
    const v = VARIABLES[name]!;
    const value = env[name] ?? '';
    if (descriptions) out += `# ${name} ${v.description}\n# Expects: ${v.expects}\n`;
    out += `${name}=${v.sensitive && !sensitive && value !== '' ? '******' : value}\n`;
  }
  const others = Object.keys(env)
    .filter((k) => PREFIXES.some((p) => k.startsWith(p)) && !(k in VARIABLES))
    .sort();
  if (others.length && descriptions) {
    out +=
      "# Environment variables below are not registered with signet,\n# but might still influence signet's behavior.\n";
  }
  for (const name of others) {
    const value = env[name] ?? '';
    out += `${name}=${!sensitive && value !== '' ? '******' : value}\n`;
  }
  return out;
}
