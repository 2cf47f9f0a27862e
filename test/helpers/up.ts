import { spawn, type ChildProcess } from 'node:child_process';
import { signetBin } from './env.js';
import { stopProcess } from './process.js';

export interface UpProcess {
  child: ChildProcess;
  /** The base URL `signet up` printed (the real port, also for --port 0). */
  url: string;
  output(): string;
  stop(): Promise<number | null>;
}

/**
 * Starts `signet up` with `args` (e.g. --port 0) as a user would and reads its URL from what it prints; resolves
 * once the stack answers /readyz.
 */
export async function startUp(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
  const child = spawn(process.execPath, [signetBin, 'up', ...args], {
    cwd: options.cwd,
    env: { ...process.env, SIGNET_LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  let url: string | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`signet up exited early:\n${out}`);
    url ??= /signet is up on (http:\/\/\S+)/.exec(out)?.[1];
    if (url && (await fetch(`${url}/readyz`).catch(() => undefined))?.ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`signet up did not become ready:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const up: UpProcess = {
    child,
    url,
    output: () => out,
    stop: () => stopProcess(child, 'signet up', 'SIGTERM', () => out),
  };
  return up;
}
