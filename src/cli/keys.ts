import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { constants } from 'node:fs';
import { open, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { PasswordSource } from '../crypto/index.js';
import { SignetError, invalidInput } from '../errors.js';
import { readText } from './files.js';
import { warnIfGitWouldAdd } from './git-exposure.js';
import { summary } from './commands.js';

/**
 * cosign's key commands: generate-key-pair, import-key-pair, public-key. Keys are cosign's encrypted format, so
 * cosign reads signet's keys and signet reads cosign's.
 */
/** The key code, loaded by the command that runs (so `signet --help` does not load it). */
const keyCode = () => import('../crypto/index.js');

export function registerKeys(program: Command): void {
  program
    .command('generate-key-pair')
    .description(summary('generate-key-pair'))
    .option('--output-key-prefix <prefix>', 'file name prefix for the key files', 'cosign')
    .option('-f, --force', 'overwrite existing key files')
    .addHelpText('after', '\nExample:\n  COSIGN_PASSWORD=secret signet generate-key-pair --output-key-prefix release')
    .action(async (o: { outputKeyPrefix: string; force?: boolean }) => {
      const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      await writeKeyPair(privateKey, o.outputKeyPrefix, !!o.force);
    });

  program
    .command('import-key-pair')
    .description(summary('import-key-pair'))
    .requiredOption('-k, --key <file>', 'the PEM private key to import')
    .option('-o, --output-key-prefix <prefix>', 'file name prefix for the key files', 'import-cosign')
    .option('-f, --force', 'overwrite existing key files')
    .option('-y, --yes', 'accepted for cosign compatibility (no prompt is asked)')
    .action(async (o: { key: string; outputKeyPrefix: string; force?: boolean }) => {
      const pem = await readText(o.key);
      if ((await keyCode()).isCosignEncryptedKey(pem)) throw invalidInput(`${o.key} is already a cosign key`);
      await writeKeyPair((await keyCode()).importPrivateKey(pem, o.key), o.outputKeyPrefix, !!o.force);
    });

  program
    .command('public-key')
    .description(summary('public-key'))
    .requiredOption('--key <file>', 'cosign.key, or a plain PEM private key')
    .option('--outfile <file>', 'write the public key here instead of stdout')
    .action(async (o: { key: string; outfile?: string }) => {
      const key = await (await keyCode()).loadPrivateKey(await readText(o.key), passwordFor(o.key), o.key);
      const pem = (await keyCode()).publicKeyPem(key);
      if (!o.outfile) return void process.stdout.write(pem);
      await writeFile(o.outfile, pem, { mode: 0o644 });
      process.stderr.write(`Public key written to ${o.outfile}\n`);
    });
}

async function writeKeyPair(privateKey: KeyObject, prefix: string, force: boolean): Promise<void> {
  const keyFile = `${prefix}.key`;
  const pubFile = `${prefix}.pub`;
  const password = await newPassword();
  const pem = await (await keyCode()).encryptCosignKey(privateKey, password);
  // Check it opens before anything is written: a key nobody can decrypt is worse than none.
  await (await keyCode()).decryptCosignKey(pem, password, keyFile);
  await writeExclusive(keyFile, pem, 0o600, force);
  process.stderr.write(`Private key written to ${keyFile}\n`);
  warnIfGitWouldAdd(keyFile, 'a private key');
  await writeExclusive(pubFile, (await keyCode()).publicKeyPem(privateKey), 0o644, force);
  process.stderr.write(`Public key written to ${pubFile}\n`);
}

/** Writes a file with `mode`, refusing to replace an existing one unless forced (then it is truncated in place). */
async function writeExclusive(path: string, data: string, mode: number, force: boolean): Promise<void> {
  const flags = constants.O_WRONLY | constants.O_CREAT | (force ? constants.O_TRUNC : constants.O_EXCL);
  let fh;
  try {
    fh = await open(path, flags, mode);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new SignetError('conflict', `${path} already exists`, { detail: { hint: 'pass -f to overwrite it' } });
    }
    throw invalidInput(`cannot write ${path}: ${(e as Error).message}`);
  }
  try {
    await fh.chmod(mode); // the mode given to open() only applies to new files
    await fh.writeFile(data);
  } finally {
    await fh.close();
  }
}

/** The password from the environment (COSIGN_PASSWORD, then SIGNET_PASSWORD; set-but-empty counts). */
function passwordFromEnv(): string | undefined {
  return process.env.COSIGN_PASSWORD ?? process.env.SIGNET_PASSWORD;
}

/** A password source for opening `file`: the environment, a terminal prompt, or all of stdin (like cosign). */
export function passwordFor(file: string): PasswordSource {
  return async () => {
    const env = passwordFromEnv();
    if (env !== undefined) return env;
    if (process.stdin.isTTY) return promptHidden(`Enter password for private key ${file}: `);
    return readAllStdin();
  };
}

/** A password for a new key: the environment, or asked twice on the terminal. */
async function newPassword(): Promise<string> {
  const env = passwordFromEnv();
  if (env !== undefined) return env;
  if (!process.stdin.isTTY) return readAllStdin();
  const first = await promptHidden('Enter password for private key: ');
  const again = await promptHidden('Enter password for private key again: ');
  if (first !== again) throw invalidInput('passwords do not match');
  return first;
}

/** cosign reads the whole of a piped stdin as the password, newline included. */
async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line from the terminal without echoing it. Ctrl-C aborts. */
export function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (data: Buffer) => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new SignetError('invalid-input', 'cancelled'));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** Asks a yes/no question on the terminal (cosign's `[y/N]`); only y or Y passes. */
export async function confirm(question: string): Promise<boolean> {
  process.stderr.write(`${question} [y/N] `);
  const stdin = process.stdin;
  return new Promise((resolve) => {
    const onData = (data: Buffer) => {
      stdin.off('data', onData);
      stdin.pause();
      resolve(/^[yY]\s*$/.test(data.toString('utf8').split('\n')[0]!));
    };
    stdin.resume();
    stdin.on('data', onData);
  });
}
