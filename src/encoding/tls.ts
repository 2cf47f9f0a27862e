import { invalidInput } from '../errors.js';

/** Writes RFC 5246 §4 presentation-language values: fixed-width big-endian integers and length-prefixed vectors. */
export class TlsWriter {
  readonly #parts: Buffer[] = [];

  u8(n: number): this {
    return this.#uint(n, 1);
  }
  u16(n: number): this {
    return this.#uint(n, 2);
  }
  u64(n: number | bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigUInt64BE(BigInt(n));
    this.#parts.push(b);
    return this;
  }
  bytes(b: Uint8Array): this {
    this.#parts.push(Buffer.from(b));
    return this;
  }
  /** opaque v<0..2^(8*lenBytes)-1>: a length prefix of lenBytes, then the bytes. */
  vector(b: Uint8Array, lenBytes: 1 | 2 | 3): this {
    if (b.length >= 2 ** (8 * lenBytes)) throw invalidInput(`value of ${b.length} bytes is too long for its field`);
    return this.#uint(b.length, lenBytes).bytes(b);
  }
  finish(): Buffer {
    return Buffer.concat(this.#parts);
  }

  #uint(n: number, width: number): this {
    const b = Buffer.alloc(width);
    b.writeUIntBE(n, 0, width);
    this.#parts.push(b);
    return this;
  }
}

/** Reads the same encoding; every read past the end is an invalid-input error naming what was being read. */
export class TlsReader {
  #pos = 0;

  readonly #buf: Buffer;
  constructor(buf: Buffer) {
    this.#buf = buf;
  }

  u8(what: string): number {
    return this.#uint(1, what);
  }
  u16(what: string): number {
    return this.#uint(2, what);
  }
  u64(what: string): bigint {
    return this.#take(8, what).readBigUInt64BE();
  }
  bytes(n: number, what: string): Buffer {
    return this.#take(n, what);
  }
  vector(lenBytes: 1 | 2 | 3, what: string): Buffer {
    return this.#take(this.#uint(lenBytes, what), what);
  }
  get done(): boolean {
    return this.#pos === this.#buf.length;
  }
  end(what: string): void {
    if (!this.done) throw invalidInput(`${what} has ${this.#buf.length - this.#pos} trailing bytes`);
  }

  #uint(width: number, what: string): number {
    return this.#take(width, what).readUIntBE(0, width);
  }
  #take(n: number, what: string): Buffer {
    if (this.#pos + n > this.#buf.length) throw invalidInput(`${what} is truncated`);
    const out = this.#buf.subarray(this.#pos, this.#pos + n);
    this.#pos += n;
    return out;
  }
}
