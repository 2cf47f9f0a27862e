import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { extname, join } from 'node:path';
import type { Command, Option } from 'commander';
import { CliExit } from './exit.js';

/**
 * rekor-cli's configuration (viper): `--config FILE`, else `$HOME/.rekor.<ext>`, maps flag names to values
 * (`rekor_server: https://...`, `pki-format: x509`, `format: json`, `store_tree_state: false`); `REKOR_<FLAG>`
 * environment variables (upper case, `-` as `_`) override the file and a flag given on the command line overrides
 * both. rekor-cli reads any format viper knows; signet reads JSON and YAML made of flat `key: value` lines (the shape
 * every rekor-cli setting has), and refuses anything else in one line rather than guess.
 */
const DEFAULT_EXTENSIONS = ['.json', '.yaml', '.yml'];

/** signet's flags that rekor-cli spells otherwise: a setting of either name goes to the first. */
const ALIASES: Record<string, string> = {
  rekor_server: 'rekor-url',
  'rekor-server': 'rekor-url',
  store_tree_state: 'store-tree-state',
};

/** The `--config` option and the hook that applies the file and REKOR_* variables before the command runs. */
export function withRekorConfig(cmd: Command): Command {
  return cmd
    .option('--config <file>', 'rekor-cli config file: flag names to values (default $HOME/.rekor.yaml or .json)')
    .hook('preAction', (_hooked, action) => applyRekorConfig(action));
}

export function applyRekorConfig(cmd: Command, env = process.env, home = env.HOME || homedir()): void {
  const given = cmd.opts().config as string | undefined;
  const path = given ?? DEFAULT_EXTENSIONS.map((ext) => join(home, `.rekor${ext}`)).find((p) => existsSync(p));
  const file = path ? readConfig(path) : {};
  const fromFile = new Map(Object.entries(file).map(([k, v]) => [canonical(k.toLowerCase()), [k, v] as const]));
  for (const option of cmd.options) {
    const key = option.long?.slice(2);
    if (!key || option.hidden || option.negate || key === 'config' || key === 'help') continue;
    if (fromCli(cmd, key)) continue;
    const envName = `REKOR_${key.toUpperCase().replace(/-/g, '_')}`;
    const rekorCliEnv = key === 'rekor-url' ? (env.REKOR_REKOR_SERVER ?? env[envName]) : env[envName];
    // signet's own variables for the log (the default of --rekor-url) outrank the file, as environment does in viper.
    if (rekorCliEnv !== undefined) set(cmd, option, rekorCliEnv, envName, 'env');
    else if (fromFile.has(key) && !(key === 'rekor-url' && (env.SIGNET_REKOR_URL || env.REKOR_SERVER))) {
      const [name, value] = fromFile.get(key)!;
      set(cmd, option, value, `${path}: ${name}`, 'config');
    }
  }
  if (path && cmd.opts().format === 'default') process.stderr.write(`Using config file: ${path}\n`);
}

function canonical(key: string): string {
  return ALIASES[key] ?? key;
}

/** Whether the flag (or a rekor-cli spelling of it) was on the command line. */
function fromCli(cmd: Command, key: string): boolean {
  const names = [key, ...Object.keys(ALIASES).filter((a) => ALIASES[a] === key)];
  return names.some((n) => {
    const o = cmd.options.find((x) => x.long === `--${n}`);
    return o !== undefined && cmd.getOptionValueSource(o.attributeName()) === 'cli';
  });
}

function set(cmd: Command, option: Option, raw: unknown, where: string, source: 'env' | 'config'): void {
  const text = String(raw);
  let value: string | boolean = text;
  if (!option.required && !option.optional) {
    if (/^(true|1|t)$/i.test(text)) value = true;
    else if (/^(false|0|f)$/i.test(text)) value = false;
    else throw new CliExit(1, `${where}: ${option.long} takes true or false, got ${JSON.stringify(text)}`);
  } else if (option.argChoices && !option.argChoices.includes(text)) {
    throw new CliExit(1, `${where}: ${JSON.stringify(text)} is not one of ${option.argChoices.join(', ')}`);
  }
  cmd.setOptionValueWithSource(option.attributeName(), value, source);
}

/** The settings of a config file: a JSON object, or flat YAML. */
function readConfig(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliExit(1, `cannot read the config file ${path}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
  const ext = extname(path).toLowerCase();
  if (ext === '.json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new CliExit(1, `the config file ${path} is not JSON`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new CliExit(1, `the config file ${path} is not a JSON object of flag names to values`);
    }
    return parsed as Record<string, unknown>;
  }
  if (ext === '.yaml' || ext === '.yml' || ext === '') return parseFlatYaml(text, path);
  throw new CliExit(1, `the config file ${path} is ${ext.slice(1)}; signet reads .json, .yaml and .yml`);
}

/**
 * YAML of top-level `key: value` lines: plain, 'single' or "double" quoted scalars, `#` comments, a `---` start.
 * Anything else (nesting, lists, block scalars, anchors, flow collections) is refused with its line number.
 */
function parseFlatYaml(text: string, where: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const refuse = (why: string): never => {
      throw new CliExit(
        1,
        `${where}: line ${i + 1}: ${why}; signet reads flat \`key: value\` YAML only`,
        'write one setting per line, e.g. `rekor_server: https://rekor.example`, or use a .json file',
      );
    };
    if (/^\s*(#.*)?$/.test(line) || /^---\s*(#.*)?$/.test(line)) return;
    if (/^\s/.test(line)) refuse('an indented line (nested YAML)');
    const m = /^([A-Za-z0-9_.-]+)\s*:(?:\s+(.*))?$/.exec(line);
    if (!m) refuse('not a `key: value` line');
    const value = scalar(m![2] ?? '', refuse);
    if (value !== undefined) out[m![1]!] = value;
  });
  return out;
}

function scalar(raw: string, refuse: (why: string) => never): string | undefined {
  const s = raw.trim();
  if (s === '' || s.startsWith('#')) return undefined; // `key:` is null in YAML: not set
  if (s.startsWith('"')) {
    const m = /^("(?:[^"\\]|\\.)*")\s*(#.*)?$/.exec(s);
    if (!m) refuse('an unterminated "double-quoted" value');
    try {
      return JSON.parse(m![1]!) as string;
    } catch {
      return refuse('a "double-quoted" value with an escape signet does not read');
    }
  }
  if (s.startsWith("'")) {
    const m = /^'((?:[^']|'')*)'\s*(#.*)?$/.exec(s);
    if (!m) refuse("an unterminated 'single-quoted' value");
    return m![1]!.replace(/''/g, "'");
  }
  if (/^[[{|>&*!%@`-]/.test(s) && !/^-?\d/.test(s)) refuse(`a value YAML reads as more than a string (${s[0]})`);
  // A plain scalar ends at ` #` (a comment).
  return s.replace(/\s+#.*$/, '');
}
