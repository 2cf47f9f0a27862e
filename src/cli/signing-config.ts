import type { Command } from 'commander';
import type { ServiceUrl, SigningConfig } from '../bundle/index.js';
import { boolFlag } from './bool-flags.js';
import { CliExit } from './exit.js';
import { writeOutput } from './files.js';
import { parseKeyValueSpec } from './key-value-spec.js';
import { summary } from './commands.js';

/** Loaded by the command that runs, so `signet --help` does not load it. */
const bundleCode = () => import('../bundle/index.js');

interface SigningConfigFlags {
  fulcio: string[];
  rekor: string[];
  oidcProvider: string[];
  tsa: string[];
  rekorConfig?: string;
  tsaConfig?: string;
  baseConfig?: string;
  withDefaultServices?: boolean;
  withDefaultRekorV2?: boolean;
  // commander's negations: false when --no-default-<kind> is given
  defaultFulcio?: boolean;
  defaultRekor?: boolean;
  defaultOidc?: boolean;
  defaultTsa?: boolean;
  out?: string;
}

type Selector = NonNullable<SigningConfig['rekorTlogConfig']>;

const collect = (value: string, previous: string[]) => [...previous, value];
const SPEC = 'url=URL,api-version=N,start-time=RFC3339,operator=NAME[,end-time=RFC3339]; repeatable';

/** `signet signing-config create` (cosign signing-config create): a signing_config.json (v0.2) from service specs. */
export function registerSigningConfig(program: Command): void {
  program
    .command('signing-config')
    .description(summary('signing-config'))
    .command('create')
    .description('create a signing config (signing_config.json, v0.2): the services signing clients use')
    .option('--fulcio <spec>', `a certificate authority: ${SPEC}`, collect, [])
    .option('--rekor <spec>', `a transparency log: ${SPEC}`, collect, [])
    .option('--oidc-provider <spec>', `an OIDC provider: ${SPEC}`, collect, [])
    .option('--tsa <spec>', `a timestamp authority: ${SPEC}`, collect, [])
    .option('--rekor-config <mode>', 'how many logs to use: ANY, ALL or EXACT:<count> (required with --rekor)')
    .option('--tsa-config <mode>', 'how many TSAs to use: ANY, ALL or EXACT:<count> (required with --tsa)')
    .option('--base-config <file|url>', 'start from this signing config; each kind of service given replaces its own')
    .addOption(
      boolFlag('--with-default-services', 'start from the signing config of the instance `signet initialize` set up'),
    )
    .addOption(boolFlag('--with-default-rekor-v2', 'as --with-default-services (the instance lists its Rekor v2 log)'))
    .option('--no-default-fulcio', 'leave out the base or default CAs')
    .option('--no-default-rekor', 'leave out the base or default logs')
    .option('--no-default-oidc', 'leave out the base or default OIDC providers')
    .option('--no-default-tsa', 'leave out the base or default TSAs')
    .option('--out <file>', 'write the signing config here (0600) instead of stdout')
    .addHelpText(
      'after',
      '\nExample:\n  signet signing-config create --fulcio url=https://ca.example,api-version=1,start-time=2026-01-01T00:00:00Z,operator=example \\\n' +
        '    --rekor url=https://log.example,api-version=1,start-time=2026-01-01T00:00:00Z,operator=example --rekor-config ANY \\\n' +
        '    --oidc-provider url=https://idp.example,api-version=1,start-time=2026-01-01T00:00:00Z,operator=example --out signing_config.json',
    )
    .action(async (flags: SigningConfigFlags) => {
      const config = await createSigningConfig(flags);
      // Checked as any client would read it, so a bad spec fails here rather than at signing time.
      (await bundleCode()).parseSigningConfig(JSON.parse(JSON.stringify(config)));
      await writeOutput(flags.out, JSON.stringify(config));
    });
}

async function createSigningConfig(f: SigningConfigFlags): Promise<SigningConfig> {
  if (f.rekor.length && !f.rekorConfig) {
    throw new CliExit(1, '--rekor-config must be provided when --rekor is specified', 'add --rekor-config ANY');
  }
  if (f.tsa.length && !f.tsaConfig) {
    throw new CliExit(1, '--tsa-config must be provided when --tsa is specified', 'add --tsa-config ANY');
  }
  if (f.baseConfig && (f.withDefaultServices || f.withDefaultRekorV2)) {
    throw new CliExit(1, 'give only one of --base-config and --with-default-services');
  }
  const base = await baseConfig(f);
  const pick = (given: string[], kind: string, skip: boolean | undefined, from: ServiceUrl[] | undefined) =>
    given.length ? given.map((s) => parseService(s, kind)) : skip ? [] : (from ?? []);
  const config: SigningConfig = {
    mediaType: (await bundleCode()).SIGNING_CONFIG_MEDIA_TYPE,
    caUrls: pick(f.fulcio, 'fulcio', f.defaultFulcio === false, base?.caUrls),
    oidcUrls: pick(f.oidcProvider, 'oidc-provider', f.defaultOidc === false, base?.oidcUrls),
    rekorTlogUrls: pick(f.rekor, 'rekor', f.defaultRekor === false, base?.rekorTlogUrls),
  };
  const rekorConfig = f.rekorConfig
    ? parseSelector(f.rekorConfig, '--rekor-config')
    : f.defaultRekor === false
      ? undefined
      : base?.rekorTlogConfig;
  if (rekorConfig) config.rekorTlogConfig = rekorConfig;
  config.tsaUrls = pick(f.tsa, 'tsa', f.defaultTsa === false, base?.tsaUrls);
  const tsaConfig = f.tsaConfig
    ? parseSelector(f.tsaConfig, '--tsa-config')
    : f.defaultTsa === false
      ? undefined
      : base?.tsaConfig;
  if (tsaConfig) config.tsaConfig = tsaConfig;
  return config;
}

async function baseConfig(f: SigningConfigFlags): Promise<SigningConfig | undefined> {
  if (f.baseConfig) {
    const { loadSigningConfig } = await import('../sign/index.js');
    const { readFile } = await import('node:fs/promises');
    return loadSigningConfig(f.baseConfig, (p) => readFile(p));
  }
  if (!f.withDefaultServices && !f.withDefaultRekorV2) return undefined;
  const instance = await (await import('../trust/index.js')).resolveInstance();
  if (!instance?.signingConfig) {
    const flag = f.withDefaultServices ? '--with-default-services' : '--with-default-rekor-v2';
    throw new CliExit(
      1,
      `${flag} reads the signing config of the instance \`signet initialize\` set up, and there is none (public-good's is not built in)`,
      'pass --base-config with a signing_config.json file or URL instead',
    );
  }
  return instance.signingConfig;
}

/** cosign's comma-separated `key=value` service spec; url, api-version, start-time and operator are required. */
function parseService(spec: string, kind: string): ServiceUrl {
  const kv = parseKeyValueSpec(spec, ['url', 'api-version', 'start-time', 'operator'], {
    invalidPair: (pair) => new CliExit(1, `parsing ${kind} spec: invalid key-value pair: ${pair}`),
    missing: (key) => new CliExit(1, `parsing ${kind} spec: missing required key '${key}' in service spec`, SPEC),
  });
  if (!/^\d+$/.test(kv['api-version']!)) {
    throw new CliExit(1, `parsing ${kind} spec: api-version ${JSON.stringify(kv['api-version'])} is not a number`);
  }
  const service: ServiceUrl = {
    url: kv.url!,
    majorApiVersion: Number(kv['api-version']),
    validFor: { start: rfc3339(kv['start-time']!, kind, 'start-time') },
    operator: kv.operator!,
  };
  if (kv['end-time']) service.validFor!.end = rfc3339(kv['end-time'], kind, 'end-time');
  return service;
}

function rfc3339(text: string, kind: string, key: string): string {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(text) || Number.isNaN(Date.parse(text))) {
    throw new CliExit(1, `parsing ${kind} spec: ${key} ${JSON.stringify(text)} is not an RFC 3339 time`);
  }
  return text;
}

function parseSelector(text: string, flag: string): Selector {
  const [mode = '', count] = text.split(':', 2) as [string, string | undefined];
  const selector = mode.toUpperCase();
  if (selector === 'ANY' || selector === 'ALL') {
    if (count !== undefined) throw new CliExit(1, `${flag}: mode ${selector} does not accept a count`);
    return { selector };
  }
  if (selector === 'EXACT') {
    if (count === undefined || !/^\d+$/.test(count) || Number(count) < 1) {
      throw new CliExit(1, `${flag}: mode EXACT requires a count, e.g. EXACT:2`);
    }
    return { selector, count: Number(count) };
  }
  throw new CliExit(1, `${flag}: invalid service config mode: ${mode}`, 'use ANY, ALL or EXACT:<count>');
}
