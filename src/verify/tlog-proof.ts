import type { KeyObject } from 'node:crypto';
import type { InclusionProof } from '../bundle/index.js';
import { verificationFailed } from '../errors.js';
import { leafHash, verifyInclusion } from '../merkle/index.js';
import { ed25519NoteVerifier, openNote, parseCheckpoint, parseNote, rekorNoteVerifier } from '../note/index.js';

export interface CheckedProof {
  logIndex: number;
  treeSize: number;
  rootHash: Buffer;
}

/** Reads the proof's numbers and hashes; a malformed field is a verification failure naming it. */
export function readProof(proof: InclusionProof): CheckedProof & { hashes: Buffer[] } {
  const logIndex = nonNegative(proof.logIndex, 'inclusion proof logIndex');
  const treeSize = nonNegative(proof.treeSize, 'inclusion proof treeSize');
  if (logIndex >= treeSize) throw verificationFailed('inclusion proof logIndex is not inside its tree');
  const rootHash = hash32(proof.rootHash, 'inclusion proof rootHash');
  const hashes = (proof.hashes ?? []).map((h, i) => hash32(h, `inclusion proof hash ${i}`));
  return { logIndex, treeSize, rootHash, hashes };
}

/** RFC 6962 inclusion of SHA-256(0x00 || body) at the proof's index, against the proof's root. */
export function verifyEntryInclusion(body: Buffer, proof: InclusionProof): CheckedProof {
  const p = readProof(proof);
  const leaf = Buffer.from(leafHash(body));
  if (!verifyInclusion(leaf, p.logIndex, p.treeSize, p.hashes, p.rootHash)) {
    throw verificationFailed('inclusion proof does not lead from the entry to the root hash');
  }
  return p;
}

/**
 * The checkpoint (a signed note) must carry a valid signature by the log's key and commit to the proof's tree
 * size and root. Rekor v1 signs as its hostname with a key hint of SHA-256(SPKI)[:4]; a Rekor v2 (Ed25519) log
 * signs as its origin with the C2SP key ID.
 */
export function verifyCheckpoint(envelope: string, key: KeyObject, proof: CheckedProof, baseUrl?: string): void {
  let checkpoint: ReturnType<typeof parseCheckpoint>;
  try {
    checkpoint = parseCheckpoint(parseNote(envelope).text);
  } catch (e) {
    throw verificationFailed(`checkpoint is malformed: ${(e as Error).message}`, e);
  }
  // An Ed25519 log may sign as Rekor v1 does (SPKI key hint: signet's own v1 log) or with the C2SP key ID (Rekor v2).
  const verifiers = signerNames(checkpoint.origin, baseUrl).flatMap((name) =>
    key.asymmetricKeyType === 'ed25519'
      ? [ed25519NoteVerifier(name, key), rekorNoteVerifier(name, key)]
      : [rekorNoteVerifier(name, key)],
  );
  try {
    openNote(envelope, verifiers);
  } catch (e) {
    throw verificationFailed(`checkpoint is not signed by the log's key: ${(e as Error).message}`, e);
  }
  if (BigInt(String(checkpoint.size)) !== BigInt(proof.treeSize)) {
    throw verificationFailed('inclusion proof tree size does not match the checkpoint size');
  }
  if (!Buffer.from(checkpoint.rootHash).equals(proof.rootHash)) {
    throw verificationFailed('inclusion proof does not match the checkpoint root');
  }
}

/** Names a log may sign its checkpoint as: v1 uses the hostname before " - <treeID>"; v2 the whole origin. */
function signerNames(origin: string, baseUrl?: string): string[] {
  const names = [origin, origin.split(' - ')[0]!];
  if (baseUrl) {
    try {
      names.push(new URL(baseUrl).host);
    } catch {
      // not a URL: the origin names are enough
    }
  }
  return [...new Set(names.filter((n) => n.length > 0 && !/\s/.test(n)))];
}

function nonNegative(s: string | undefined, what: string): number {
  const n = Number(s);
  if (typeof s !== 'string' || !/^\d+$/.test(s) || !Number.isSafeInteger(n)) {
    throw verificationFailed(`${what} is not a non-negative integer`);
  }
  return n;
}

function hash32(b64: string, what: string): Buffer {
  const b = Buffer.from(b64 ?? '', 'base64');
  if (b.length !== 32) throw verificationFailed(`${what} is not a 32-byte hash`);
  return b;
}
