/** C2SP signed notes and tlog checkpoints, Rekor v1 checkpoint keys, and tlog-cosignature v1. Pure: no I/O. */
export { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.js';
export { openNote, parseNote, signNote, type NoteSignature, type NoteSigner, type NoteVerifier } from './note.js';
export { rekorKeyHash, rekorNoteSigner, rekorNoteVerifier } from './rekor.js';
export { rekorV2KeyId, rekorV2NoteSigner, rekorV2NoteVerifier } from './rekor-v2.js';
export {
  NOTE_TYPE,
  ed25519NoteSigner,
  ed25519NoteVerifier,
  ed25519PrivateKeyFromSeed,
  ed25519PublicKeyFromRaw,
  noteKeyId,
  rawEd25519PublicKey,
} from './ed25519.js';
export {
  cosignatureTimestamp,
  cosignatureV1Message,
  cosignatureV1Signer,
  cosignatureV1Verifier,
} from './cosignature.js';
export { formatSignerKey, formatVerifierKey, parseSignerKey, parseVerifierKey } from './keys.js';
