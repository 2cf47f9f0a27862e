/**
 * The SSH wire encoding (RFC 4251 §5): uint32 lengths, strings and mpints. Readers throw on truncation so callers
 * map one error to one clear message.
 */
export class SshReader {
  #pos = 0;
  readonly #buf: Buffer;
  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  uint32(): number {
    if (this.#pos + 4 > this.#buf.length) throw new Error('truncated ssh data');
    const v = this.#buf.readUInt32BE(this.#pos);
    this.#pos += 4;
    return v;
  }

  bytes(n: number): Buffer {
    if (n > this.#buf.length - this.#pos) throw new Error('truncated ssh data');
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }

  string(): Buffer {
    return this.bytes(this.uint32());
  }

  text(): string {
    return this.string().toString('latin1');
  }

  /** A non-negative mpint as unsigned big-endian bytes without leading zeros. */
  mpint(): Buffer {
    const raw = this.string();
    if (raw.length > 0 && raw[0]! & 0x80) throw new Error('negative ssh mpint');
    let i = 0;
    while (i < raw.length && raw[i] === 0) i++;
    return raw.subarray(i);
  }

  rest(): Buffer {
    return this.bytes(this.#buf.length - this.#pos);
  }

  get done(): boolean {
    return this.#pos === this.#buf.length;
  }

  end(): void {
    if (!this.done) throw new Error('junk at the end of ssh data');
  }
}

export function sshString(b: Buffer | string): Buffer {
  const data = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  return Buffer.concat([len, data]);
}

export function sshUint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

/** Minimal two's-complement mpint of an unsigned big-endian magnitude, as Go's ssh.Marshal writes it. */
export function sshMpint(magnitude: Buffer): Buffer {
  let i = 0;
  while (i < magnitude.length && magnitude[i] === 0) i++;
  const m = magnitude.subarray(i);
  return sshString(m.length && m[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), m]) : m);
}
