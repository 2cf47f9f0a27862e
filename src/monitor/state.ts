import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { SignetError } from '../errors.js';

/** What the monitor has verified of one log, kept between runs so a restart resumes and a rollback shows. */
export interface MonitorState {
  url: string;
  origin: string;
  treeSize: number;
  rootHash: string;
  /** The signed checkpoint as served: evidence if the log later contradicts it. */
  checkpoint: string;
  /** The first entry not yet matched against the watch list. */
  nextIndex: number;
}

/** `$HOME/.signet/monitor/<sha256(url)[:16]>.json`, one file per log URL. */
export function monitorStatePath(url: string, dir = join(process.env.HOME || homedir(), '.signet', 'monitor')): string {
  const key = createHash('sha256').update(url.replace(/\/+$/, '')).digest('hex').slice(0, 16);
  return join(dir, `${key}.json`);
}

export function loadMonitorState(path: string): MonitorState | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SignetError('internal', `cannot read the monitor state ${path}: ${(e as Error).message}`);
  }
  let s: MonitorState;
  try {
    s = JSON.parse(text) as MonitorState;
  } catch {
    throw new SignetError('invalid-input', `the monitor state ${path} is not JSON: delete it to start over`);
  }
  const ok =
    Number.isSafeInteger(s?.treeSize) &&
    Number.isSafeInteger(s.nextIndex) &&
    s.nextIndex <= s.treeSize &&
    typeof s.rootHash === 'string' &&
    /^[0-9a-f]{64}$/.test(s.rootHash) &&
    typeof s.checkpoint === 'string';
  if (!ok) throw new SignetError('invalid-input', `the monitor state ${path} is corrupt: delete it to start over`);
  return s;
}

/** Atomic (temp file + rename): a crash leaves the old state or the new one, never half of either. */
export function saveMonitorState(path: string, state: MonitorState): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}
