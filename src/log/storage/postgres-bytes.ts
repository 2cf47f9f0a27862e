/**
 * Byte strings to PostgreSQL without hex. node-pg sends a Buffer parameter in binary, but an array of Buffers as an
 * array literal of hex text: twice the bytes, built into one string here and parsed element by element by the
 * server. So many byte strings travel as ONE binary parameter plus their 1-based starts and lengths
 * (`substring($n FROM start FOR len)` in SQL; a NULL length gives NULL). Results stay text (hex for bytea): node-pg
 * 8 decodes every result field as UTF-8 text even when a query asks for binary results.
 */
export interface Packed {
  bytes: Buffer;
  /** 1-based offsets into `bytes`, as SQL's substring counts. */
  starts: number[];
  /** Lengths; null for an absent value (substring of NULL length is NULL). */
  lengths: Array<number | null>;
}

export function pack(values: ReadonlyArray<Buffer | undefined>): Packed {
  const starts: number[] = [];
  const lengths: Array<number | null> = [];
  let at = 1;
  const present: Buffer[] = [];
  for (const v of values) {
    starts.push(at);
    if (v === undefined) lengths.push(null);
    else {
      lengths.push(v.length);
      present.push(v);
      at += v.length;
    }
  }
  return { bytes: Buffer.concat(present), starts, lengths };
}

/** Fixed-width values (hashes) back to back: the i-th (1-based) is `substring($n FROM i * width - width + 1 FOR width)`. */
export function concatFixed(values: ReadonlyArray<Buffer>, width: number): Buffer {
  for (const v of values) if (v.length !== width) throw new Error(`expected ${width} bytes, got ${v.length}`);
  return Buffer.concat(values, values.length * width);
}
