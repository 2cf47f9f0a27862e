import { isSignetError, verificationFailed } from '../errors.js';
import { verifyTreeConsistency } from '../verify/index.js';
import type { WatchList } from './config.js';
import { entryFacts } from './entry-facts.js';
import type { MonitorEvent, Misbehaviour } from './events.js';
import { openTreeHead, type HeadTrust, type TreeHead } from './head.js';
import type { LogSource, TreeCheck } from './source.js';
import { loadMonitorState, saveMonitorState, type MonitorState } from './state.js';
import { matchEntry } from './watch.js';

export interface MonitorOptions {
  source: LogSource;
  trust: HeadTrust;
  watch: WatchList;
  statePath: string;
  /** Other vantage points on the same log (a mirror, a witness's view): their checkpoints must agree. */
  vantages?: LogSource[];
  /** Where the first run starts matching entries; default: the first checkpoint's size (new entries only). */
  startIndex?: number;
  emit: (e: MonitorEvent) => void | Promise<void>;
}

export interface RoundResult {
  /** The log contradicted itself, its saved history or another vantage point, or served something unverifiable. */
  misbehaviour: boolean;
  matches: number;
  entriesChecked: number;
  head?: TreeHead;
}

/** Leaves fetched and matched per step; the state is saved after each, so a restart resumes mid-scan. */
const SCAN_STEP = 1024;

/** Thrown inside a round to report misbehaviour of a given type. */
class LogMisbehaved extends Error {
  constructor(
    readonly type: Misbehaviour,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One pass over the log: verify the newest checkpoint and its consistency with the saved one and with the other
 * vantage points, then prove and match every entry added since. The state advances only over what verified.
 * Network and other operational failures throw; misbehaviour is reported as an event and in the result.
 */
export async function monitorOnce(o: MonitorOptions): Promise<RoundResult> {
  const url = o.source.url;
  const result: RoundResult = { misbehaviour: false, matches: 0, entriesChecked: 0 };
  try {
    const saved = loadMonitorState(o.statePath);
    const head = await latestHead(o.source, o.trust);
    result.head = head;
    await checkAgainstSaved(o.source, head, saved);
    for (const v of o.vantages ?? []) await checkVantage(o.source, v, o.trust, head);
    await o.emit({
      event: 'checkpoint',
      url,
      size: head.size,
      rootHash: head.rootHash.toString('hex'),
      ...(saved ? { previousSize: saved.treeSize } : {}),
      witnesses: head.witnesses,
    });
    const further = furtherTreeCheck(o.source, o.trust, head);
    let next = saved ? saved.nextIndex : Math.min(o.startIndex ?? head.size, head.size);
    const save = (nextIndex: number) =>
      saveMonitorState(o.statePath, {
        url,
        origin: head.origin,
        treeSize: head.size,
        rootHash: head.rootHash.toString('hex'),
        checkpoint: head.note,
        nextIndex,
      });
    save(next);
    while (next < head.size) {
      const end = Math.min(next + SCAN_STEP, head.size);
      const leaves = await withMisbehaviour('bad-entry', () => o.source.leaves(next, end, head, further));
      for (const leaf of leaves) {
        const facts = entryFacts(leaf.body);
        const matches = matchEntry(facts, o.watch);
        if (matches.length === 0) continue;
        result.matches++;
        await o.emit({
          event: 'match',
          url,
          index: leaf.index,
          ...(leaf.uuid ? { uuid: leaf.uuid } : {}),
          kind: facts.kind,
          matches,
        });
      }
      await o.emit({ event: 'entries', url, start: next, end });
      result.entriesChecked += end - next;
      next = end;
      save(next);
    }
  } catch (e) {
    if (!(e instanceof LogMisbehaved)) throw e;
    result.misbehaviour = true;
    await o.emit({ event: 'misbehaviour', url, type: e.type, message: e.message });
  }
  return result;
}

async function latestHead(source: LogSource, trust: HeadTrust): Promise<TreeHead> {
  const note = await source.latestCheckpoint();
  return withMisbehaviour('bad-checkpoint', () => openTreeHead(note, trust));
}

async function checkAgainstSaved(source: LogSource, head: TreeHead, saved: MonitorState | undefined): Promise<void> {
  if (!saved) return;
  const root = Buffer.from(saved.rootHash, 'hex');
  if (head.size < saved.treeSize) {
    throw new LogMisbehaved(
      'rollback',
      `the log serves a checkpoint of size ${head.size}, older than the size ${saved.treeSize} it already signed`,
    );
  }
  await consistent(source, { size: saved.treeSize, rootHash: root }, head, 'the saved checkpoint');
}

/** A second view of the log must be the same tree, or a prefix or extension of it: else the log shows a split view. */
async function checkVantage(source: LogSource, vantage: LogSource, trust: HeadTrust, head: TreeHead): Promise<void> {
  const note = await vantage.latestCheckpoint();
  const other = await withMisbehaviour('split-view', () => openTreeHead(note, { ...trust, witnessThreshold: 0 }));
  const what = `the checkpoint at ${vantage.url}`;
  if (other.size <= head.size) await consistent(source, other, head, what, 'split-view');
  else await consistent(vantage, head, other, what, 'split-view');
}

/** `older` must be a prefix of `newer`, proven by `source` (the one that can serve the bigger tree). */
async function consistent(
  source: LogSource,
  older: { size: number; rootHash: Buffer },
  newer: { size: number; rootHash: Buffer },
  what: string,
  type: Misbehaviour = 'fork',
): Promise<void> {
  if (older.size === newer.size) {
    if (!older.rootHash.equals(newer.rootHash)) {
      throw new LogMisbehaved(type, `${what} has the same size ${older.size} but a different root: the log forked`);
    }
    return;
  }
  if (older.size === 0) return;
  const proof = await source.consistencyProof(older.size, newer.size);
  try {
    verifyTreeConsistency(
      { treeSize: older.size, rootHash: older.rootHash },
      { treeSize: newer.size, rootHash: newer.rootHash },
      proof,
    );
  } catch (e) {
    throw new LogMisbehaved(
      type,
      `${what} (size ${older.size}) is not a prefix of the tree at size ${newer.size}: history was rewritten (${(e as Error).message})`,
    );
  }
}

/**
 * Checks a tree an entry's own proof points at (Rekor v1 proves entries at the size when they are fetched): its
 * checkpoint must be signed by the log and the tree consistent with the head this round verified.
 */
function furtherTreeCheck(source: LogSource, trust: HeadTrust, head: TreeHead): TreeCheck {
  const seen = new Map<string, Promise<void>>();
  return (note: string | undefined, size: number, rootHash: Buffer): Promise<void> => {
    const key = `${size}/${rootHash.toString('hex')}`;
    let check = seen.get(key);
    if (!check) {
      check = (async () => {
        if (!note) throw verificationFailed(`an inclusion proof at size ${size} came without a checkpoint`);
        const other = openTreeHead(note, { ...trust, witnessThreshold: 0 });
        if (other.size !== size || !other.rootHash.equals(rootHash)) {
          throw verificationFailed(`an inclusion proof's checkpoint is for a different tree than the proof`);
        }
        if (size < head.size) await consistent(source, other, head, `the tree of an inclusion proof`);
        else await consistent(source, head, other, `the tree of an inclusion proof`);
      })();
      seen.set(key, check);
    }
    return check;
  };
}

/** Runs `f`, turning a verification failure into misbehaviour of `type`. */
async function withMisbehaviour<T>(type: Misbehaviour, f: () => T | Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (isSignetError(e, 'verification-failed')) throw new LogMisbehaved(type, e.message);
    throw e;
  }
}
