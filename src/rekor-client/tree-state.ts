import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SignetError } from '../errors.js';

/** The last verified tree head `signet log loginfo` saw for one log and tree (rekor-cli keeps ~/.rekor/state.json). */
export interface TreeState {
  treeSize: number;
  rootHash: string;
  treeID: string;
  signedTreeHead: string;
}

/** `$HOME/.signet/log-state/<sha256(url)[:16]>-<treeID>.json`: one file per log URL and tree. */
export function treeStatePath(baseUrl: string, treeId: string, home = process.env.HOME || homedir()): string {
  const urlKey = createHash('sha256').update(baseUrl.replace(/\/+$/, '')).digest('hex').slice(0, 16);
  const safeTree = treeId.replace(/[^0-9A-Za-z_-]/g, '_');
  return join(home, '.signet', 'log-state', `${urlKey}-${safeTree}.json`);
}

export function loadTreeState(path: string): TreeState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SignetError('internal', `cannot read the saved tree state ${path}: ${(e as Error).message}`);
  }
  const s = JSON.parse(text) as TreeState;
  if (!Number.isSafeInteger(s?.treeSize) || typeof s.rootHash !== 'string' || !/^[0-9a-f]{64}$/.test(s.rootHash)) {
    throw new SignetError('internal', `the saved tree state ${path} is corrupt: delete it to start over`);
  }
  return s;
}

/** Writes atomically (temp file + rename) so a crash never leaves a half-written state. */
export function saveTreeState(path: string, state: TreeState): void {
  mkdirSync(join(path, '..'), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}
