import { fromBase64 } from './bytes.js';

/** One signature line of a signed note (C2SP signed-note): `— <name> <base64(keyHash[4] || signature)>`. */
export interface NoteSignatureLine {
  name: string;
  /** The 4-byte key hash as 8 hex digits. */
  keyHash: string;
  signature: Uint8Array<ArrayBuffer>;
}

/** A checkpoint (C2SP tlog-checkpoint) with its signature lines, unverified. */
export interface Checkpoint {
  /** The signed bytes: every line before the blank line, with its final newline. */
  text: string;
  origin: string;
  size: number;
  rootHash: Uint8Array<ArrayBuffer>;
  /** Lines after the root hash (Rekor puts a timestamp there). */
  extensions: string[];
  signatures: NoteSignatureLine[];
}

/** Parses a signed checkpoint note; throws on anything malformed. */
export function parseCheckpoint(note: string): Checkpoint {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('checkpoint has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const lines = text.slice(0, -1).split('\n');
  const [origin, sizeLine, rootLine, ...extensions] = lines;
  if (!origin || !sizeLine || !/^(0|[1-9][0-9]*)$/.test(sizeLine) || !rootLine) {
    throw new Error('checkpoint must start with origin, tree size and root hash lines');
  }
  const rootHash = fromBase64(rootLine);
  if (rootHash.length !== 32) throw new Error('checkpoint root hash is not 32 bytes');
  const signatures = note
    .slice(split + 2)
    .split('\n')
    .filter((l) => l !== '')
    .map(parseSignatureLine);
  if (signatures.length === 0) throw new Error('checkpoint has no signatures');
  return { text, origin, size: Number(sizeLine), rootHash, extensions, signatures };
}

function parseSignatureLine(line: string): NoteSignatureLine {
  const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
  if (!m) throw new Error(`bad signature line: ${line.slice(0, 60)}`);
  const blob = fromBase64(m[2]!);
  if (blob.length < 5) throw new Error('signature line is too short');
  const keyHash = [...blob.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join('');
  return { name: m[1]!, keyHash, signature: blob.slice(4) };
}

/**
 * A witness's tlog-cosignature/v1 timestamp (the first 8 bytes of its 72-byte signature), else undefined. Only for
 * witness lines: a log's ECDSA signature can be 72 bytes of DER too, whose first bytes are no time.
 */
export function cosignatureTime(sig: NoteSignatureLine): Date | undefined {
  if (sig.signature.length !== 72) return undefined;
  const seconds = new DataView(sig.signature.buffer, sig.signature.byteOffset, 8).getBigUint64(0);
  // Dates beyond year 9999 cannot be shown; such a line is not a cosignature.
  return seconds < 253402300800n ? new Date(Number(seconds) * 1000) : undefined;
}
