import { InvalidArgumentError } from 'commander';

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
