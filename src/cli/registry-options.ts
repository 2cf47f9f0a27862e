import type { Command } from 'commander';
import type { RegistryOptions } from '../oci/index.js';

/** cosign's registry flags, shared by every image command. */
export function addRegistryOptions(command: Command): Command {
  return command
    .option('--allow-insecure-registry', 'allow plain HTTP to a registry that is not on localhost')
    .option('--allow-http-registry', 'alias of --allow-insecure-registry')
    .option('--registry-username <name>', 'registry user name (else the docker config is used)')
    .option('--registry-password <password>', 'registry password')
    .option('--registry-token <token>', 'registry bearer token');
}

export function registryOptions(opts: Record<string, unknown>, onProgress?: RegistryOptions['onProgress']) {
  return {
    allowInsecureRegistry: Boolean(opts.allowInsecureRegistry || opts.allowHttpRegistry),
    registryUsername: opts.registryUsername as string | undefined,
    registryPassword: (opts.registryPassword as string | undefined) ?? process.env.SIGNET_REGISTRY_PASSWORD,
    registryToken: opts.registryToken as string | undefined,
    onProgress,
  } satisfies RegistryOptions;
}
