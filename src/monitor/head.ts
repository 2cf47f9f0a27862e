import type { KeyObject } from 'node:crypto';
import { invalidOption, verificationFailed } from '../errors.js';
import { openNote, parseCheckpoint, parseNote, parseVerifierKey, type NoteVerifier } from '../note/index.js';
import { verifyCheckpoint } from '../verify/index.js';

/** A checkpoint whose log signature (and witness cosignatures, when asked for) verified. */
export interface TreeHead {
  origin: string;
  size: number;
  rootHash: Buffer;
  /** The signed note as served. */
  note: string;
  /** Names of the witnesses whose cosignatures verified. */
  witnesses: string[];
}

export interface HeadTrust {
  logKey: KeyObject;
  /** The log's base URL: Rekor v1 signs as its host name. */
  baseUrl: string;
  witnesses: NoteVerifier[];
  /** How many of `witnesses` must have cosigned (0: none required). */
  witnessThreshold: number;
}

/** Parses a served checkpoint and checks its signatures; anything wrong is a verification failure. */
export function openTreeHead(note: string, trust: HeadTrust): TreeHead {
  let origin: string;
  let size: number;
  let rootHash: Buffer;
  try {
    const c = parseCheckpoint(parseNote(note).text);
    origin = c.origin;
    size = Number(c.size);
    rootHash = Buffer.from(c.rootHash);
  } catch (e) {
    throw verificationFailed(`the checkpoint is malformed: ${(e as Error).message}`, e);
  }
  if (!Number.isSafeInteger(size)) throw verificationFailed('the checkpoint size is too large');
  verifyCheckpoint(note, trust.logKey, { logIndex: 0, treeSize: size, rootHash }, trust.baseUrl);
  const witnesses = cosigners(note, trust.witnesses);
  if (witnesses.length < trust.witnessThreshold) {
    throw verificationFailed(
      `the checkpoint at size ${size} has ${witnesses.length} valid witness cosignatures, ${trust.witnessThreshold} required`,
    );
  }
  return { origin, size, rootHash, note, witnesses };
}

function cosigners(note: string, witnesses: NoteVerifier[]): string[] {
  if (witnesses.length === 0) return [];
  try {
    const { signatures } = openNote(note, witnesses);
    return [...new Set(signatures.filter((s) => s.verified).map((s) => s.name))];
  } catch {
    return []; // no witness signed: openNote refuses a note no known key verifies
  }
}

/** A witness's C2SP note verifier key (`name+hash+base64`), as `--witness` takes it. */
export function parseWitnessKey(vkey: string): NoteVerifier {
  try {
    return parseVerifierKey(vkey);
  } catch (e) {
    throw invalidOption(
      'witness',
      `the witness key ${JSON.stringify(vkey.slice(0, 80))} is not a note verifier key: ${(e as Error).message}`,
      e,
    );
  }
}
