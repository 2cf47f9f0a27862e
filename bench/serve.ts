/** signet server child processes for benchmarks that measure the server from another process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

const signetBin = fileURLToPath(new URL('../../bin/signet.js', import.meta.url));
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

export interface Served {
  port: number;
  pid: number;
  stop: () => Promise<void>;
}

/**
 * Starts `signet log serve` on a free loopback port over `dataDir` and waits until it is ready; `nodeFlags` go to
 * node itself (e.g. --cpu-prof).
 */
export function serveLog(dataDir: string, args: string[] = [], nodeFlags: string[] = []): Promise<Served> {
  return serveSignet(
    ['log', 'serve', '--port', '0', '--data-dir', dataDir, '--public-url', 'http://bench.test', ...args],
    nodeFlags,
  );
}

/**
 * Starts a signet server command (`log serve`, `up`) that is given `--port 0`, reads its port from the URL it prints
 * ("... on http://127.0.0.1:PORT") and waits until /readyz answers.
 */
export function serveSignet(signetArgs: string[], nodeFlags: string[] = []): Promise<Served> {
  return serveNode([...nodeFlags, signetBin, ...signetArgs], `signet ${signetArgs.slice(0, 2).join(' ')}`);
}

/** The same for any node script that prints its URL and answers /readyz (bench/bound-server.ts). */
export async function serveNode(nodeArgs: string[], what: string): Promise<Served> {
  // Port 0, and the port read from the server's first line: a port picked here could be taken by another process
  // on a shared machine, and its /readyz would then answer for a server that is not the one measured.
  const child: ChildProcess = spawn(process.execPath, nodeArgs, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = / on http:\/\/[^\s:]+:(\d+)/.exec(out);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.resume(); // keep draining what it prints afterwards
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}) before listening`)));
  });
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok) break;
    } catch {
      // not yet
    }
    if (i > 600) throw new Error(`${what} did not become ready`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () =>
    new Promise<void>((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM'))));
  return { port, pid: child.pid!, stop };
}

/** One request over a kept-alive connection: its status and body. */
export function httpCall(
  port: number,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Buffer }> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}
