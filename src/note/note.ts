import { SignetError, invalidInput, verificationFailed } from '../errors.js';

/** Signs a note's text (the bytes before the blank line, including the final `\n`). */
export interface NoteSigner {
  name: string;
  /** The 4-byte key ID as a big-endian uint32; it prefixes the signature on the signature line. */
  keyHash: number;
  sign(message: Buffer): Buffer;
}

export interface NoteVerifier {
  name: string;
  keyHash: number;
  verify(message: Buffer, signature: Buffer): boolean;
}

export interface NoteSignature {
  name: string;
  keyHash: number;
  signature: Buffer;
  /** True when a verifier with this name and key hash verified it; unknown keys stay false. */
  verified: boolean;
}

const EM_DASH = '\u2014';
/** golang.org/x/mod/sumdb/note refuses more than 100 signatures; so do we. */
const MAX_SIGNATURES = 100;

/**
 * Appends one signature line per signer: `— <name> <base64(keyHash[4] || signature)>`.
 * @example signNote('example.com/log\n0\n47DEQ...=\n', [signer])
 */
export function signNote(text: string, signers: NoteSigner[]): string {
  checkText(text);
  const message = Buffer.from(text, 'utf8');
  const lines = signers.map((s) => {
    checkName(s.name);
    const blob = Buffer.concat([keyHashBytes(s.keyHash), s.sign(message)]);
    return `${EM_DASH} ${s.name} ${blob.toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/**
 * Splits a signed note and checks its signatures. A signature whose (name, key hash) matches a verifier must
 * verify, or the whole note is rejected; others are returned unverified. At least one must verify.
 * Throws invalid-input for a malformed note and verification-failed for a bad or missing signature.
 */
export function openNote(note: string, verifiers: NoteVerifier[]): { text: string; signatures: NoteSignature[] } {
  const { text, signatures } = parseNote(note);
  const message = Buffer.from(text, 'utf8');
  let anyVerified = false;
  for (const sig of signatures) {
    const known = verifiers.filter((v) => v.name === sig.name && v.keyHash === sig.keyHash);
    if (known.length === 0) continue;
    sig.verified = known.some((v) => safeVerify(v, message, sig.signature));
    if (!sig.verified)
      throw verificationFailed(`note signature by ${sig.name} (key ${hex8(sig.keyHash)}) does not verify`);
    anyVerified = true;
  }
  if (!anyVerified) {
    const seen = signatures.map((s) => `${s.name}+${hex8(s.keyHash)}`).join(', ');
    throw verificationFailed(`note has no signature by a known key (signed by ${seen})`);
  }
  return { text, signatures };
}

/** Parses a signed note without verifying it: the text and every signature line. */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (typeof note !== 'string') throw invalidInput('note is not text');
  if (!isCleanText(note)) {
    throw invalidInput('note has control characters or invalid UTF-8');
  }
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw invalidInput('note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const block = note.slice(split + 2);
  if (block === '') throw invalidInput('note has no signature lines after the blank line');
  if (!block.endsWith('\n')) throw invalidInput('note signatures do not end with a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw invalidInput(`note has more than ${MAX_SIGNATURES} signatures`);
  return { text, signatures: lines.map(parseSignatureLine) };
}

function parseSignatureLine(line: string, i: number): NoteSignature {
  const m = /^\u2014 ([^ +]+) ([A-Za-z0-9+/]+={0,2})$/.exec(line);
  if (!m) throw invalidInput(`note signature line ${i + 1} is not "— <name> <base64>"`);
  const blob = Buffer.from(m[2]!, 'base64');
  if (blob.length < 5 || blob.toString('base64') !== m[2]) {
    throw invalidInput(`note signature line ${i + 1} is not canonical base64 of a key hash and a signature`);
  }
  return { name: m[1]!, keyHash: blob.readUInt32BE(0), signature: blob.subarray(4), verified: false };
}

function safeVerify(v: NoteVerifier, message: Buffer, signature: Buffer): boolean {
  try {
    return v.verify(message, signature);
  } catch {
    return false; // a signature of the wrong shape for the key is simply not valid
  }
}

function checkText(text: string): void {
  if (typeof text !== 'string' || !text.endsWith('\n') || text.endsWith('\n\n')) {
    throw invalidInput('note text must end with exactly one newline');
  }
  if (!isCleanText(text)) {
    throw invalidInput('note text has control characters or invalid UTF-8');
  }
}

/** Key names are non-empty and have no spaces, `+` or newlines (C2SP signed-note). */
export function checkName(name: string): void {
  if (typeof name !== 'string' || !/^[^\s+]+$/u.test(name)) {
    throw new SignetError('invalid-input', `note key name ${JSON.stringify(name)} is empty or has a space or "+"`);
  }
}

export function keyHashBytes(keyHash: number): Buffer {
  if (!Number.isInteger(keyHash) || keyHash < 0 || keyHash > 0xffffffff)
    throw invalidInput('note key hash is not a uint32');
  const b = Buffer.alloc(4);
  b.writeUInt32BE(keyHash);
  return b;
}

export const hex8 = (n: number): string => n.toString(16).padStart(8, '0');

/** Well-formed UTF-16 (no lone surrogates, so it encodes to valid UTF-8) with no control characters but `\n`. */
function isCleanText(s: string): boolean {
  // eslint-disable-next-line no-control-regex -- control characters are what this rejects
  return !/[\u0000-\u0009\u000b-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(
    s,
  );
}
