import { parseNote, parseVerifierKey, type NoteVerifier } from '../../note/index.js';
import { invalidInput, SignetError } from '../../errors.js';
import type { LogStore, TreeHead } from '../storage/store.js';

export interface PublisherOptions {
  /** The log's latest durable head (the sequencer's, or the last one a frontend saw). */
  head: () => TreeHead;
  /** Where accepted cosignatures are kept: they survive a restart and every frontend of the log serves them. */
  store: Pick<LogStore, 'putCosignature' | 'cosignatures'>;
  /** Publication interval in milliseconds (default 1000). */
  intervalMs?: number;
  /** Witness verifier keys, `name+hash+base64` (tlog-cosignature v1, type 0x04). */
  witnesses?: string[];
}

/**
 * The checkpoint witnesses cosign: at a fixed interval it takes the log's latest signed head and serves it unchanged
 * until the next publication, so a witness that fetched it can return a cosignature for exactly that text. Accepted
 * cosignatures (from configured witnesses only) are stored and appended as extra signature lines while the
 * published tree is the one they cover; each publication reloads them from the store, so a cosignature posted to
 * one frontend shows on all of them within an interval, and survives a restart.
 */
export class CheckpointPublisher {
  readonly #head: () => TreeHead;
  readonly #store: PublisherOptions['store'];
  readonly #witnesses: NoteVerifier[];
  #published: TreeHead;
  #cosignatures: string[] = [];
  readonly #timer: NodeJS.Timeout;

  private constructor(o: PublisherOptions) {
    this.#head = o.head;
    this.#store = o.store;
    this.#witnesses = (o.witnesses ?? []).map((k) => parseVerifierKey(k));
    this.#published = o.head();
    this.#timer = setInterval(() => void this.publish().catch(() => undefined), o.intervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Publishes the log's current head with the cosignatures stored for it. */
  static async open(o: PublisherOptions): Promise<CheckpointPublisher> {
    const p = new CheckpointPublisher(o);
    await p.#load(p.#published);
    return p;
  }

  /** Adopts the latest head if the tree grew, and reloads the stored cosignatures over the published tree. */
  async publish(): Promise<void> {
    const head = this.#head();
    const same = head.size === this.#published.size && head.rootHash.equals(this.#published.rootHash);
    await this.#load(same || head.size < this.#published.size ? this.#published : head);
  }

  async #load(head: TreeHead): Promise<void> {
    const stored = await this.#store.cosignatures(head.size, head.rootHash);
    this.#published = head;
    this.#cosignatures = stored.map((c) => c.line);
  }

  published(): TreeHead {
    return this.#published;
  }

  /** The published checkpoint: the log's signed note plus one line per accepted witness cosignature. */
  checkpoint(): string {
    return this.#published.checkpoint + this.#cosignatures.join('');
  }

  /**
   * Accepts signature lines (`— <name> <base64>`, as a tlog-witness `add-checkpoint` 200 body) over the published
   * checkpoint. Unknown witnesses and signatures that do not verify over the current publication are refused;
   * accepted ones are durable when this resolves.
   */
  async addCosignatures(body: string): Promise<number> {
    const published = this.#published;
    const text = parseNote(published.checkpoint).text;
    let parsed;
    try {
      parsed = parseNote(`${text}\n${body.endsWith('\n') ? body : `${body}\n`}`);
    } catch (e) {
      throw invalidInput('body must be cosignature lines: "— <name> <base64>"', e);
    }
    if (parsed.signatures.length === 0) throw invalidInput('no cosignature lines in the body');
    const lines: Array<{ witness: string; line: string }> = [];
    for (const sig of parsed.signatures) {
      const w = this.#witnesses.find((v) => v.name === sig.name && v.keyHash === sig.keyHash);
      if (!w) throw new SignetError('forbidden', `unknown witness ${JSON.stringify(sig.name)}`);
      if (!safeVerify(w, Buffer.from(text), sig.signature)) {
        throw new SignetError(
          'forbidden',
          `the cosignature by ${sig.name} does not verify over the published checkpoint (size ${published.size})`,
        );
      }
      const line = `— ${sig.name} ${Buffer.concat([keyHashBytes(sig.keyHash), sig.signature]).toString('base64')}\n`;
      lines.push({ witness: `${sig.name}+${sig.keyHash}`, line });
    }
    for (const { witness, line } of lines) {
      await this.#store.putCosignature({ witness, size: published.size, rootHash: published.rootHash, line });
    }
    await this.#load(published);
    return lines.length;
  }

  close(): void {
    clearInterval(this.#timer);
  }
}

function safeVerify(v: NoteVerifier, message: Buffer, signature: Buffer): boolean {
  try {
    return v.verify(message, signature);
  } catch {
    return false;
  }
}

function keyHashBytes(h: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(h >>> 0);
  return b;
}
