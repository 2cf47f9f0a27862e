// A small interpreter for CLI scenario scripts in the spirit of age's (and Go's) testscript: each line is a command
// a user would type, followed by what its output must say. The syntax is described in test/scenarios/README.md.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { signetBin } from './env.js';
import { pushTestImage, startRegistry, type RunningRegistry } from './registry.js';
import { startUp, type UpProcess } from './up.js';

export interface Script {
  lines: { text: string; line: number }[];
  files: Map<string, string>;
}

/** Splits a script into its command lines and its `-- name --` file sections. */
export function parseScript(text: string): Script {
  const lines: Script['lines'] = [];
  const files = new Map<string, string>();
  let file: string | undefined;
  text.split('\n').forEach((raw, i) => {
    const marker = /^-- (\S+) --$/.exec(raw);
    if (marker) {
      file = marker[1]!;
      files.set(file, '');
    } else if (file !== undefined) files.set(file, files.get(file)! + raw + '\n');
    else if (raw.trim() !== '' && !raw.trimStart().startsWith('#')) lines.push({ text: raw, line: i + 1 });
  });
  return { lines, files };
}

/**
 * Splits one line into words: spaces separate words, `#` at the start of a word ends the line, single quotes keep
 * spaces and turn off `$VAR` expansion ('' inside them is one quote), as in testscript.
 */
export function splitWords(line: string, vars: (name: string) => string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === ' ' || c === '\t') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === '#' && word === undefined) break;
    else if (c === "'") {
      let j = i + 1;
      let quoted = '';
      for (;;) {
        if (j >= line.length) throw new Error('unterminated quote');
        if (line[j] === "'" && line[j + 1] === "'") {
          quoted += "'";
          j += 2;
        } else if (line[j] === "'") break;
        else quoted += line[j++];
      }
      word = (word ?? '') + quoted;
      i = j;
    } else if (c === '$') {
      const m = /^\$(?:\{(\w+)\}|(\w+))/.exec(line.slice(i));
      if (!m) throw new Error(`a lone $ at column ${i + 1}`);
      word = (word ?? '') + vars(m[1] ?? m[2]!);
      i += m[0].length - 1;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) words.push(word);
  return words;
}

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a parsed script in `work`; throws an Error naming the script line at the first step that fails. */
export class ScriptRun {
  readonly env: Record<string, string>;
  #up: UpProcess | undefined;
  #registry: RunningRegistry | undefined;
  #last: Result | undefined;
  #stdin: string | undefined;

  constructor(readonly work: string) {
    mkdirSync(join(work, 'home'), { recursive: true, mode: 0o700 });
    // HOME inside the work dir: gpg keyrings, ssh keys, docker config and the log client's state stay per script.
    this.env = { WORK: work, HOME: join(work, 'home'), SIGNET_LOG_LEVEL: 'warn' };
  }

  async run(script: Script): Promise<void> {
    for (const [name, content] of script.files) {
      mkdirSync(dirname(join(this.work, name)), { recursive: true });
      writeFileSync(join(this.work, name), content);
    }
    for (const { text, line } of script.lines) {
      try {
        await this.#step(splitWords(text, (name) => this.#var(name)));
      } catch (e) {
        const last = this.#last ? `\n--- stdout:\n${this.#last.stdout}--- stderr:\n${this.#last.stderr}` : '';
        throw new Error(`line ${line}: ${text.trim()}\n${(e as Error).message}${last}`, { cause: e });
      }
    }
  }

  async close(): Promise<void> {
    await this.#up?.stop();
    await this.#registry?.stop();
  }

  #var(name: string): string {
    const v = this.env[name];
    if (v === undefined) throw new Error(`$${name} is not set`);
    return v;
  }

  async #step(words: string[]): Promise<void> {
    const negated = words[0] === '!';
    const [cmd, ...args] = negated ? words.slice(1) : words;
    switch (cmd) {
      case 'require': // checked by the runner before the script starts
        return;
      case 'exec':
        return this.#exec(args, negated);
      case 'stdout':
      case 'stderr':
        return this.#match(cmd, args, negated);
      case 'status':
        if (String(this.#last?.status) !== args[0])
          throw new Error(`exit status ${this.#last?.status}, want ${args[0]}`);
        return;
      case 'env':
        for (const a of args) {
          const eq = a.indexOf('=');
          if (eq < 1) throw new Error(`env wants NAME=value, got ${a}`);
          this.env[a.slice(0, eq)] = a.slice(eq + 1);
        }
        return;
      case 'capture': {
        const out = this.#last?.stdout ?? '';
        if (args[1] === undefined) this.env[args[0]!] = out.trim();
        else {
          const m = new RegExp(args[1], 'm').exec(out);
          if (m?.[1] === undefined) throw new Error(`stdout has no match for ${args[1]} with a group`);
          this.env[args[0]!] = m[1];
        }
        return;
      }
      case 'stdin':
        this.#stdin = args[0] === undefined ? undefined : join(this.work, args[0]);
        return;
      case 'sleep':
        return new Promise((r) => setTimeout(r, Number(args[0]) * 1000));
      case 'up':
        return this.#startUp(args);
      case 'stop': {
        const code = await this.#up?.stop();
        if (code !== 0) throw new Error(`signet up exited with ${code} on SIGTERM:\n${this.#up?.output()}`);
        return;
      }
      case 'registry':
        this.#registry = await startRegistry();
        this.env.REGISTRY = this.#registry.host;
        return;
      case 'push-image': {
        const ref = `${this.#var('REGISTRY')}/${args[0]}`;
        this.env.IMAGE = `${ref.replace(/:[^:/]+$/, '')}@${pushTestImage(ref)}`;
        return;
      }
      default:
        throw new Error(`unknown command ${cmd}`);
    }
  }

  async #startUp(args: string[]) {
    const env = Object.fromEntries(args.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]));
    this.#up = await startUp(['--port', '0', '--data-dir', join(this.work, 'signet-data')], {
      cwd: this.work,
      env: { ...this.env, ...env },
    });
    this.env.URL = this.#up.url;
  }

  async #exec(args: string[], negated: boolean) {
    const [prog, ...rest] = args;
    const [file, argv] = prog === 'signet' ? [process.execPath, [signetBin, ...rest]] : [prog!, rest];
    const input = this.#stdin;
    this.#stdin = undefined;
    this.#last = await new Promise<Result>((resolve, reject) => {
      const child = spawn(file, argv, {
        cwd: this.work,
        env: { ...process.env, ...this.env },
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        timeout: 120_000,
      });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
      if (input !== undefined) child.stdin!.end(readFileSync(input));
    });
    const failed = this.#last.status !== 0;
    if (failed && !negated) throw new Error(`exit status ${this.#last.status}`);
    if (!failed && negated) throw new Error('succeeded, but a failure was expected');
  }

  #match(stream: 'stdout' | 'stderr', args: string[], negated: boolean) {
    const text = this.#last?.[stream] ?? '';
    const re = new RegExp(args[0]!, 'm');
    if (re.test(text) === negated) throw new Error(`${stream} ${negated ? 'matches' : 'does not match'} ${re}`);
  }
}
