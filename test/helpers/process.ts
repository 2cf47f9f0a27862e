import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signetBin } from './env.js';

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the signet CLI as a subprocess, as a user would. */
export function runSignet(
  args: string[],
  options: { input?: string | Buffer; env?: Record<string, string>; cwd?: string; timeout?: number } = {},
): CliResult {
  const r = spawnSync(process.execPath, [signetBin, ...args], {
    input: options.input,
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    timeout: options.timeout ?? 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the signet CLI without blocking the event loop (needed when the test also serves HTTP in-process). */
export function runSignetAsync(
  args: string[],
  options: { input?: string | Buffer; env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  return runNodeScript(signetBin, args, options);
}

/** Runs a Node script (a CLI's bin file) as a subprocess, as a user would, without blocking the test's event loop. */
export function runNodeScript(
  script: string,
  args: string[],
  options: { input?: string | Buffer; env?: Record<string, string>; cwd?: string } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(options.input);
  });
}

/**
 * An HTTP request on a connection of its own, answered as a fetch Response. A test that blocks its event loop on
 * synchronous CLI runs (runSignet) for longer than the server's keep-alive timeout would otherwise have fetch reuse a
 * pooled socket the server closed meanwhile: the client sees the close only after writing, and fails with 'other side
 * closed'.
 */
export function fetchFresh(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          for (const v of [value ?? []].flat()) headers.append(name, v);
        }
        const body = chunks.length ? Buffer.concat(chunks) : null;
        resolve(new Response(body, { status: res.statusCode, headers }));
      });
    });
    request.on('error', reject);
    request.end(init.body);
  });
}

export function tempDir(prefix = 'signet-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export interface RunningStack {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `signet up` (or another long-running signet command) and waits until `url + readyPath` answers. */
export async function startSignet(
  args: string[] = ['up'],
  options: { dataDir?: string; port?: number; env?: Record<string, string>; readyPath?: string } = {},
): Promise<RunningStack> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? tempDir();
  const child = spawn(process.execPath, [signetBin, ...args, '--port', String(port), '--data-dir', dataDir], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`signet ${args.join(' ')} exited early:\n${out}`);
    try {
      const r = await fetch(url + (options.readyPath ?? '/api/v1/log'));
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`signet ${args.join(' ')} did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    dataDir,
    child,
    output: () => out,
    stop: (signal = 'SIGTERM') => stopProcess(child, `signet ${args.join(' ')}`, signal, () => out),
  };
}

/**
 * Signals a child and resolves with its exit code. One that has not exited 30 s later (a handle left open) is
 * killed and fails the caller by name, with its output, rather than holding the test run until CI gives up.
 */
export function stopProcess(
  child: ChildProcess,
  what: string,
  signal: NodeJS.Signals = 'SIGTERM',
  output: () => string = () => '',
): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const deadline = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} did not exit within 30 s of ${signal}:\n${output()}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(deadline);
      resolve(code);
    });
    child.kill(signal);
  });
}
