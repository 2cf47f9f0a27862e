import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { invalidInput } from '../../errors.js';

export interface Credentials {
  username?: string;
  password?: string;
  /** An OAuth2 refresh token (docker config `identitytoken`), exchanged at the token endpoint. */
  identityToken?: string;
  /** A bearer token used as is (--registry-token). */
  registryToken?: string;
}

interface DockerConfig {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credHelpers?: Record<string, string>;
  credsStore?: string;
}

/** Where Docker keeps its client config: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`. */
export function dockerConfigPath(): string {
  return join(process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

function readDockerConfig(path = dockerConfigPath()): DockerConfig {
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as DockerConfig;
  } catch (e) {
    throw invalidInput(`${path} is not valid JSON`, e);
  }
}

/** The keys a registry may be stored under in `auths` (Docker Hub has its historical v1 URL). */
function configKeys(registry: string): string[] {
  if (registry === 'index.docker.io') return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io'];
  return [registry, `https://${registry}`, `http://${registry}`];
}

/** Credentials for a registry from the docker config: a credential helper first, then `auths`. */
export function lookupCredentials(registry: string, configPath?: string): Credentials | undefined {
  const config = readDockerConfig(configPath);
  const keys = configKeys(registry);
  const helper = keys.map((k) => config.credHelpers?.[k]).find(Boolean) ?? config.credsStore;
  if (helper) {
    const found = fromHelper(helper, keys[0]!);
    if (found) return found;
  }
  for (const key of keys) {
    const entry = config.auths?.[key];
    if (!entry) continue;
    if (entry.identitytoken) return { identityToken: entry.identitytoken };
    if (entry.auth) {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const sep = decoded.indexOf(':');
      if (sep > 0) return { username: decoded.slice(0, sep), password: decoded.slice(sep + 1) };
    }
    if (entry.username) return { username: entry.username, password: entry.password ?? '' };
  }
  return undefined;
}

/** Runs `docker-credential-<helper> get` (the docker credential helper protocol). */
function fromHelper(helper: string, serverUrl: string): Credentials | undefined {
  if (!/^[A-Za-z0-9_.-]+$/.test(helper)) return undefined;
  const run = spawnSync(`docker-credential-${helper}`, ['get'], {
    input: serverUrl,
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (run.status !== 0 || !run.stdout) return undefined;
  try {
    const { Username, Secret } = JSON.parse(run.stdout) as { Username?: string; Secret?: string };
    if (!Secret) return undefined;
    return Username === '<token>' ? { identityToken: Secret } : { username: Username ?? '', password: Secret };
  } catch {
    return undefined;
  }
}

/** Stores Basic credentials for a registry in the docker config (what `signet login` does), mode 0600. */
export function storeCredentials(
  registry: string,
  username: string,
  password: string,
  configPath = dockerConfigPath(),
) {
  const config = readDockerConfig(configPath) as DockerConfig & Record<string, unknown>;
  const key = configKeys(registry)[0]!;
  config.auths = { ...config.auths, [key]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } };
  mkdirSync(dirname(configPath), { recursive: true });
  writeFileSync(configPath, JSON.stringify(config, null, '\t') + '\n', { mode: 0o600 });
  chmodSync(configPath, 0o600);
}
