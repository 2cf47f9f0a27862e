import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { consistencyProof, inclusionProof, leafHash, rootHash } from '../../src/merkle/index.js';
import { formatCheckpoint, rekorNoteSigner, signNote, type NoteSigner } from '../../src/note/index.js';

/**
 * A Rekor v1 log for monitor tests that can be made to lie: its leaves are plain data the test edits (rewrite,
 * fork, roll back), its checkpoint key can be swapped, and it can hide entries from retrieve.
 */
export class FakeLog {
  leaves: Buffer[] = [];
  /** Serve the checkpoint of this many leaves instead of all of them (a stale or rolled-back view). */
  servedSize?: number;
  /** Sign checkpoints with this key instead of the log's (an unsigned/forged checkpoint). */
  forgingKey?: KeyObject;
  /** A witness that cosigns every checkpoint published at /checkpoint (as signet's log does; never signedTreeHead). */
  witness?: NoteSigner;
  /** Leave these indexes out of retrieve answers. */
  hidden = new Set<number>();
  private server?: Server;
  url = '';

  /** `key` and `host` let a second server pose as the same log (another vantage point, a split view). */
  constructor(
    readonly key = generateKeyPairSync('ec', { namedCurve: 'P-256' }),
    private readonly host?: string,
  ) {}

  /** Listens on `port` (default: a free one); a stopped log can start again on its old port. */
  async start(port = 0): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        this.answer(req.method ?? 'GET', req.url ?? '/', body)
          .then(([status, out, type]) => {
            res.writeHead(status, { 'content-type': type ?? 'application/json' });
            res.end(typeof out === 'string' ? out : JSON.stringify(out));
          })
          .catch((e: Error) => {
            res.writeHead(500, { 'content-type': 'application/json' });
            res.end(JSON.stringify({ code: 500, message: e.message }));
          });
      });
    });
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()) ?? r());
  }

  publicKeyPem(): string {
    return this.key.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  private size(): number {
    return this.servedSize ?? this.leaves.length;
  }

  private root(size: number): Buffer {
    return rootHash(this.leaves.slice(0, size).map((l) => leafHash(l)));
  }

  private read = (level: number, index: number) =>
    rootHash(this.leaves.slice(index * 2 ** level, (index + 1) * 2 ** level).map((l) => leafHash(l)));

  /** The log's signed note; `cosigned`: with the witness's line too, as published at /checkpoint. */
  checkpoint(size = this.size(), cosigned = false): string {
    const host = this.host ?? new URL(this.url).host;
    const text = formatCheckpoint({ origin: `${host} - 42`, size, rootHash: this.root(size) });
    const signers = [rekorNoteSigner(host, this.forgingKey ?? this.key.privateKey)];
    return signNote(text, cosigned && this.witness ? [...signers, this.witness] : signers);
  }

  private async answer(method: string, path: string, body: string): Promise<[number, unknown, string?]> {
    const url = new URL(path, this.url);
    if (method === 'GET' && url.pathname === '/api/v1/log') {
      const size = this.size();
      const rootHex = this.root(size).toString('hex');
      return [200, { treeSize: size, rootHash: rootHex, signedTreeHead: this.checkpoint(size), treeID: '42' }];
    }
    if (method === 'GET' && url.pathname === '/checkpoint')
      return [200, this.checkpoint(this.size(), true), 'text/plain'];
    if (method === 'GET' && url.pathname === '/api/v1/log/publicKey') return [200, this.publicKeyPem(), 'text/plain'];
    if (method === 'GET' && url.pathname === '/api/v1/log/proof') {
      const first = Number(url.searchParams.get('firstSize'));
      const last = Number(url.searchParams.get('lastSize'));
      const hashes = await consistencyProof(first, last, this.read);
      return [200, { rootHash: this.root(last).toString('hex'), hashes: hashes.map((h) => h.toString('hex')) }];
    }
    if (method === 'POST' && url.pathname === '/api/v1/log/entries/retrieve') {
      const { logIndexes } = JSON.parse(body) as { logIndexes: number[] };
      const size = this.size();
      const found = await Promise.all(
        logIndexes.filter((i) => i < size && !this.hidden.has(i)).map((i) => this.entry(i, size)),
      );
      return [200, found];
    }
    return [404, { code: 404, message: 'not found' }];
  }

  private async entry(index: number, size: number): Promise<Record<string, unknown>> {
    const leaf = this.leaves[index]!;
    const hashes = await inclusionProof(index, size, this.read);
    return {
      [leafHash(leaf).toString('hex')]: {
        body: leaf.toString('base64'),
        integratedTime: 1_700_000_000,
        logIndex: index,
        logID: '0'.repeat(64),
        verification: {
          inclusionProof: {
            logIndex: index,
            treeSize: size,
            rootHash: this.root(size).toString('hex'),
            hashes: hashes.map((h) => h.toString('hex')),
            checkpoint: this.checkpoint(size),
          },
        },
      },
    };
  }
}

/** A minimal hashedrekord body naming a public key (PEM) and an artifact digest. */
export function hashedRekordBody(publicKeyPem: string, digestHex: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      apiVersion: '0.0.1',
      kind: 'hashedrekord',
      spec: {
        data: { hash: { algorithm: 'sha256', value: digestHex } },
        signature: { content: 'c2ln', publicKey: { content: Buffer.from(publicKeyPem).toString('base64') } },
      },
    }),
  );
}
