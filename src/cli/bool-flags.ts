import { Option, type Command } from 'commander';
import { invalidInput } from '../errors.js';

/**
 * cosign and rekor-cli are Go programs whose boolean flags (pflag) take `--flag`, `--flag=true` and `--flag=false`
 * but never a separate value word (`--flag false` leaves `false` as an argument). Commander's booleans take no value
 * at all, so before parsing, `--flag=<bool>` of every boolean option of the command being run becomes `--flag` or
 * `--no-flag` (a hidden negation added here). This is the one place that rule lives; commands declare plain
 * boolean options (`.option('--offline')`, or `boolFlag('--tlog-upload', ..., true)` for a default of true).
 */
export function boolFlag(flags: string, description: string, defaultValue = false): Option {
  return new Option(flags, description).default(defaultValue);
}

const TRUE = new Set(['true', '1', 't', 'T', 'TRUE', 'True']);
const FALSE = new Set(['false', '0', 'f', 'F', 'FALSE', 'False']);

/** Rewrites pflag-style boolean values in `args` (user arguments, no node/script) for the command tree of `program`. */
export function pflagBooleans(program: Command, args: string[]): string[] {
  addNegations(program);
  let cmd = program;
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      out.push(...args.slice(i));
      break;
    }
    const m = /^(--[A-Za-z0-9][\w-]*)=(.*)$/s.exec(arg);
    const option = m && booleanOption(cmd, m[1]!);
    if (m && option) {
      const value = parseBool(m[1]!, m[2]!);
      // A flag named --no-x (cosign's --no-default-fulcio): =true gives it, =false leaves the default.
      if (option.negate) {
        if (value) out.push(m[1]!);
      } else out.push(value ? m[1]! : `--no-${m[1]!.slice(2)}`);
      continue;
    }
    if (!arg.startsWith('-')) {
      const sub = cmd.commands.find((c) => c.name() === arg || c.aliases().includes(arg));
      if (sub) cmd = sub;
    }
    out.push(arg);
  }
  return out;
}

function parseBool(flag: string, value: string): boolean {
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw invalidInput(`${flag} takes true or false, got ${JSON.stringify(value)}`);
}

function isBoolean(o: Option): boolean {
  return !o.required && !o.optional && !o.negate && !!o.long;
}

/** The boolean option named `--long` of this command or, as commander's positional options allow, an ancestor. */
function booleanOption(cmd: Command, long: string): Option | undefined {
  for (let c: Command | null = cmd; c; c = c.parent) {
    const found = c.options.find((o) => o.long === long);
    if (found) return isBoolean(found) || isNamedNegation(found) ? found : undefined;
  }
  return undefined;
}

/** A boolean flag whose own name starts with --no- (not one of the hidden negations added below). */
function isNamedNegation(o: Option): boolean {
  return o.negate && !o.required && !o.optional && !o.hidden;
}

const negated = new WeakSet<Command>();

/** Every boolean `--flag` gets a hidden `--no-flag`, which is what `--flag=false` becomes. */
function addNegations(cmd: Command): void {
  if (!negated.has(cmd)) {
    negated.add(cmd);
    for (const o of [...cmd.options]) {
      if (!isBoolean(o) || o.long === '--help' || o.long === '--version') continue;
      const no = `--no-${o.long!.slice(2)}`;
      if (!cmd.options.some((x) => x.long === no)) cmd.addOption(new Option(no).hideHelp());
    }
  }
  for (const sub of cmd.commands) addNegations(sub);
}
