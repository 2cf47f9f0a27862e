import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { invalidInput } from '../errors.js';

/** Reads a text file; a missing or unreadable file is a one-line invalid-input error naming it. */
export async function readText(path: string, what?: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw invalidInput(`cannot read ${what ? `the ${what} ` : ''}${path}: ${errorCode(e)}`, e);
  }
}

/** Reads a file's bytes, or all of stdin for `-`. */
export async function readInput(path: string, what?: string): Promise<Buffer> {
  if (path === '-') return readStdin();
  try {
    return await readFile(path);
  } catch (e) {
    throw invalidInput(`cannot read ${what ? `the ${what} ` : ''}${path}: ${errorCode(e)}`, e);
  }
}

/** A key password: the first line of `--password-file` when given, else the environment variable `env`. */
export function readPassword(file: string | undefined, env: string): string | undefined {
  if (file) {
    try {
      return readFileSync(file, 'utf8').split(/\r?\n/)[0]!;
    } catch (e) {
      throw invalidInput(`cannot read --password-file ${file}`, e);
    }
  }
  return process.env[env] || undefined;
}

/** Writes a command's output to `--out` when given (0600), else to stdout with a newline; true when a file was written. */
export async function writeOutput(path: string | undefined, text: string): Promise<boolean> {
  if (!path) {
    process.stdout.write(text + '\n');
    return false;
  }
  try {
    await writeFile(path, text, { mode: 0o600 });
  } catch (e) {
    throw invalidInput(`cannot write ${path}: ${errorCode(e)}`, e);
  }
  return true;
}

export async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e instanceof Error ? e.message : String(e));
}
