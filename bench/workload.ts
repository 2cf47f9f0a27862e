/** What the log benchmarks share: the same-run baseline, signed hashedrekord entries, percentiles. */
import { createHash, generateKeyPairSync, randomBytes, sign, verify, type KeyObject } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** Raw node:crypto ECDSA P-256 verifies per second on this (one) core: the baseline the log figures divide by. */
export function p256VerifyBaseline(): number {
  return p256VerifyCost().rate;
}

/**
 * The same second of verifies, also as CPU time per verify (user + system of this process, which does nothing else
 * meanwhile). On a shared machine the rate follows the share of a core this process got in that second; the CPU
 * time per verify moves much less, so "verifies' worth of CPU per entry" compares runs made under different loads.
 */
export function p256VerifyCost(): { rate: number; cpuMicros: number } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = randomBytes(32);
  const sig = sign('sha256', data, privateKey);
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < 1000) {
    for (let i = 0; i < 100; i++) verify('sha256', data, publicKey, sig);
    n += 100;
  }
  const cpu = process.cpuUsage(cpu0);
  return { rate: n / ((performance.now() - start) / 1000), cpuMicros: (cpu.user + cpu.system) / n };
}

export interface BenchKey {
  privateKey: KeyObject;
  /** Base64 of the PEM public key, as a hashedrekord carries it. */
  pem64: string;
}

export function benchKeys(n: number): BenchKey[] {
  return Array.from({ length: n }, () => {
    const k = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = k.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    return { privateKey: k.privateKey, pem64: Buffer.from(pem).toString('base64') };
  });
}

/** A proposed hashedrekord 0.0.1 entry for a fresh random artifact signed with `key`. */
export function hashedRekordEntry(key: BenchKey, artifactBytes = 64) {
  const artifact = randomBytes(artifactBytes);
  return {
    kind: 'hashedrekord',
    apiVersion: '0.0.1',
    spec: {
      signature: {
        content: sign('sha256', artifact, key.privateKey).toString('base64'),
        publicKey: { content: key.pem64 },
      },
      data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(artifact).digest('hex') } },
    },
  };
}

/** `n` pre-signed request bodies over a few keys, so timed runs measure the server only. */
export function hashedRekordBodies(n: number, keyCount = 16): Buffer[] {
  const keys = benchKeys(keyCount);
  return Array.from({ length: n }, (_, i) => Buffer.from(JSON.stringify(hashedRekordEntry(keys[i % keyCount]!))));
}

/** The p-quantile of ascending samples. */
export const percentile = (sorted: number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

/** `n` pre-signed Rekor v2 `CreateEntryRequest` bodies (hashedrekord 0.0.2, DER public keys) over a few keys. */
export function hashedRekordV2Bodies(n: number, keyCount = 16): Buffer[] {
  const keys = Array.from({ length: keyCount }, () => generateKeyPairSync('ec', { namedCurve: 'P-256' }));
  return Array.from({ length: n }, (_, i) => {
    const key = keys[i % keyCount]!;
    const artifact = randomBytes(64);
    const request = {
      hashedRekordRequestV002: {
        digest: createHash('sha256').update(artifact).digest('base64'),
        signature: {
          content: sign('sha256', artifact, key.privateKey).toString('base64'),
          verifier: {
            publicKey: { rawBytes: key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') },
            keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          },
        },
      },
    };
    return Buffer.from(JSON.stringify(request));
  });
}

/**
 * A lean HTTP/1.1 load generator: one keep-alive socket per request in flight, requests serialized before the
 * timed run, responses read only for their status (Content-Length bodies). node:http's client costs ~140 µs of
 * CPU per request on this machine, which on 2 cores comes out of what the server under test gets; this costs a
 * fraction of it, so the figures measure the server.
 */
export class RawPoster {
  readonly #port: number;
  readonly #idle: RawConnection[] = [];

  constructor(port: number) {
    this.#port = port;
  }

  /** A request buffer for POSTing `body` as JSON to `path`. */
  static request(path: string, body: Buffer): Buffer {
    const head = `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    return Buffer.concat([Buffer.from(head, 'latin1'), body]);
  }

  /** Sends a prepared request on an idle connection (opening one if none is idle); resolves with the status. */
  async send(request: Buffer): Promise<number> {
    const c = this.#idle.pop() ?? (await RawConnection.open(this.#port));
    const status = await c.send(request);
    if (c.alive) this.#idle.push(c);
    return status;
  }

  close(): void {
    for (const c of this.#idle.splice(0)) c.close();
  }
}

class RawConnection {
  readonly #socket: Socket;
  #buf: Buffer = Buffer.alloc(0);
  #waiting: { resolve(status: number): void; reject(e: Error): void } | undefined;
  alive = true;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#data(chunk));
    const end = (e?: Error) => {
      this.alive = false;
      this.#waiting?.reject(e ?? new Error('connection closed'));
      this.#waiting = undefined;
    };
    socket.on('error', end);
    socket.on('close', () => end());
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => {
        s.off('error', reject);
        resolve(new RawConnection(s));
      });
      s.once('error', reject);
    });
  }

  send(request: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#socket.write(request);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #data(chunk: Buffer): void {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const headEnd = this.#buf.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = this.#buf.toString('latin1', 0, headEnd);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (!length) {
      this.#waiting?.reject(new Error(`response without Content-Length: ${head.split('\r\n')[0]}`));
      this.#waiting = undefined;
      this.close();
      return;
    }
    const total = headEnd + 4 + Number(length[1]);
    if (this.#buf.length < total) return;
    const status = Number(head.slice(9, 12));
    if (/\r\nconnection: *close/i.test(head)) this.alive = false;
    this.#buf = this.#buf.subarray(total);
    const w = this.#waiting;
    this.#waiting = undefined;
    w?.resolve(status);
  }
}
