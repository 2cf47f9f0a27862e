import { invalidInput } from '../errors.js';

/** A C2SP tlog-checkpoint body (the signed note's text). */
export interface Checkpoint {
  /** The log's identity, e.g. `rekor.sigstore.dev - 1193050959916656506` (v1) or `log2025-1.rekor.sigstore.dev`. */
  origin: string;
  size: number;
  rootHash: Buffer;
  /** Extra lines after the root (Rekor v1 servers before Dec 2023 added `Timestamp: <nanos>`). */
  extensions: string[];
}

/**
 * The note text of a checkpoint: origin, decimal size and base64 root, one per line, each ending in `\n`.
 * @example formatCheckpoint({ origin: 'example.com/log', size: 3, rootHash }) // "example.com/log\n3\n<b64>\n"
 */
export function formatCheckpoint(c: {
  origin: string;
  size: number;
  rootHash: Uint8Array;
  extensions?: string[];
}): string {
  if (!isLine(c.origin)) throw invalidInput('checkpoint origin must be a non-empty line');
  if (!Number.isSafeInteger(c.size) || c.size < 0)
    throw invalidInput(`checkpoint size ${c.size} is not a non-negative integer`);
  if (!(c.rootHash instanceof Uint8Array) || c.rootHash.length !== 32)
    throw invalidInput('checkpoint root hash must be 32 bytes');
  for (const e of c.extensions ?? [])
    if (!isLine(e)) throw invalidInput('checkpoint extension lines must be non-empty lines');
  const lines = [c.origin, String(c.size), Buffer.from(c.rootHash).toString('base64'), ...(c.extensions ?? [])];
  return lines.map((l) => `${l}\n`).join('');
}

/**
 * Parses a checkpoint body strictly: at least three `\n`-terminated lines, a size without leading zeros, a
 * canonical base64 32-byte root, and non-empty extension lines. Pass the note text, not the signed note.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (typeof text !== 'string') throw invalidInput('checkpoint is not text');
  if (!text.endsWith('\n')) throw invalidInput('checkpoint does not end with a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw invalidInput('checkpoint has fewer than 3 lines (origin, size, root hash)');
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (!isLine(origin)) throw invalidInput('checkpoint origin line is empty');
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    throw invalidInput(`checkpoint size ${JSON.stringify(sizeText.slice(0, 40))} is not a decimal tree size`);
  }
  const rootHash = Buffer.from(rootText, 'base64');
  if (rootHash.length !== 32 || rootHash.toString('base64') !== rootText) {
    throw invalidInput('checkpoint root hash is not the base64 of 32 bytes');
  }
  for (const e of extensions) {
    if (e.length === 0) throw invalidInput('checkpoint has an empty extension line (is this a whole signed note?)');
  }
  return { origin, size: Number(sizeText), rootHash, extensions };
}

function isLine(s: unknown): s is string {
  return typeof s === 'string' && s.length > 0 && !s.includes('\n');
}
