import { parseNote, parseVerifierKey, type NoteVerifier } from '../../note/index.js';
import { invalidInput, SignetError } from '../../errors.js';
import type { TreeHead } from '../storage/store.js';

export interface PublisherOptions {
  /** The log's latest durable head (the sequencer's, or the last one a frontend saw). */
  head: () => TreeHead;
  /** Publication interval in milliseconds (default 1000). */
  intervalMs?: number;
  /** Witness verifier keys, `name+hash+base64` (tlog-cosignature v1, type 0x04). */
  witnesses?: string[];
}

/**
 * The checkpoint witnesses cosign: at a fixed interval it takes the log's latest signed head and serves it unchanged
 * until the next publication, so a witness that fetched it can return a cosignature for exactly that text. Accepted
 * cosignatures (from configured witnesses only) are appended as extra signature lines until the next publication
 * with a different tree; a publication whose tree did not change keeps them.
 */
export class CheckpointPublisher {
  readonly #head: () => TreeHead;
  readonly #witnesses: NoteVerifier[];
  #published: TreeHead;
  #cosignatures = new Map<string, string>();
  readonly #timer: NodeJS.Timeout;

  constructor(o: PublisherOptions) {
    this.#head = o.head;
    this.#witnesses = (o.witnesses ?? []).map((k) => parseVerifierKey(k));
    this.#published = o.head();
    this.#timer = setInterval(() => this.publish(), o.intervalMs ?? 1000);
    this.#timer.unref();
  }

  /** Adopts the latest head if the tree grew (clearing cosignatures over the old one). */
  publish(): void {
    const head = this.#head();
    if (head.size === this.#published.size && head.rootHash.equals(this.#published.rootHash)) return;
    if (head.size < this.#published.size) return;
    this.#published = head;
    this.#cosignatures.clear();
  }

  published(): TreeHead {
    return this.#published;
  }

  /** The published checkpoint: the log's signed note plus one line per accepted witness cosignature. */
  checkpoint(): string {
    return this.#published.checkpoint + [...this.#cosignatures.values()].join('');
  }

  /**
   * Accepts signature lines (`— <name> <base64>`, as a tlog-witness `add-checkpoint` 200 body) over the published
   * checkpoint. Unknown witnesses and signatures that do not verify over the current publication are refused.
   */
  addCosignatures(body: string): number {
    const text = parseNote(this.#published.checkpoint).text;
    let parsed;
    try {
      parsed = parseNote(`${text}\n${body.endsWith('\n') ? body : `${body}\n`}`);
    } catch (e) {
      throw invalidInput('body must be cosignature lines: "— <name> <base64>"', e);
    }
    if (parsed.signatures.length === 0) throw invalidInput('no cosignature lines in the body');
    let accepted = 0;
    for (const sig of parsed.signatures) {
      const w = this.#witnesses.find((v) => v.name === sig.name && v.keyHash === sig.keyHash);
      if (!w) throw new SignetError('forbidden', `unknown witness ${JSON.stringify(sig.name)}`);
      if (!safeVerify(w, Buffer.from(text), sig.signature)) {
        throw new SignetError(
          'forbidden',
          `the cosignature by ${sig.name} does not verify over the published checkpoint (size ${this.#published.size})`,
        );
      }
      const line = `— ${sig.name} ${Buffer.concat([keyHashBytes(sig.keyHash), sig.signature]).toString('base64')}\n`;
      this.#cosignatures.set(`${sig.name}+${sig.keyHash}`, line);
      accepted++;
    }
    return accepted;
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
