import { InvalidArgumentError, type Command } from 'commander';

/** Commander parser for a TCP port (0 = any free port). */
export function parsePort(value: string): number {
  const n = Number(value);
  if (!/^[0-9]{1,5}$/.test(value) || n > 65535) throw new InvalidArgumentError('must be a port number (0-65535)');
  return n;
}

/** Commander parser for a positive byte count. */
export function parseBytes(value: string): number {
  const n = Number(value);
  if (!/^[0-9]{1,12}$/.test(value) || n < 1) throw new InvalidArgumentError('must be a positive number of bytes');
  return n;
}

/** `--public-url`, or the URL clients reach on this host and port. */
export function publicUrlFor(given: string | undefined, host: string, port: number): string {
  if (given) {
    try {
      return new URL(given).toString().replace(/\/$/, '');
    } catch {
      throw new InvalidArgumentError(`--public-url ${JSON.stringify(given)} is not a URL`);
    }
  }
  const h = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

/** The listener flags `signet up` and `signet log serve` share. */
export function addListenOptions(cmd: Command, dataDir: { default: string; description: string }): Command {
  return cmd
    .option('--port <port>', 'TCP port to listen on', parsePort, 3000)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--data-dir <dir>', dataDir.description, dataDir.default)
    .option('--max-body-bytes <n>', 'largest accepted log request body, 413 above (default 32 MiB)', parseBytes)
    .option('--public-url <url>', 'URL clients use to reach the server; its hostname names the checkpoint origin');
}
