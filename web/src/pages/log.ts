import { api, only } from '../api.js';
import { growthChart } from '../chart.js';
import { entryTable, v2EntryTable } from '../entry-list.js';
import { facts, h, message, mono, section } from '../dom.js';
import { fromBase64, toHex, utf8 } from '../lib/bytes.js';
import { importLogKey, type LogKey } from '../lib/log-key.js';
import type { V2LogJson } from '../lib/verify-v2-entry.js';
import { cosignatureTime, parseCheckpoint } from '../lib/note.js';

const RECENT = 10;

/** The log page: tree size, the latest checkpoint with its signatures, growth over time and the newest entries. */
export async function logPage(root: HTMLElement): Promise<void> {
  root.replaceChildren(message('info', 'Loading the log…'));
  let info;
  try {
    info = await api.logInfo();
  } catch (e) {
    root.replaceChildren(message('error', `Could not read the log: ${(e as Error).message}`));
    return;
  }
  const checkpointOut = h('div', {}, message('info', 'Loading the checkpoint…'));
  const chartOut = h('div', {}, message('info', 'Loading…'));
  const recentOut = h('div', {}, message('info', 'Loading…'));
  const v2Out = h('div', { id: 'v2-log' });
  root.replaceChildren(
    h('h1', {}, 'Transparency logs'),
    v2Out,
    h('h2', {}, 'Rekor v1 log'),
    section(
      'Tree',
      facts([
        ['Tree size', h('strong', { id: 'tree-size' }, info.treeSize.toLocaleString('en'))],
        ['Root hash', mono(info.rootHash)],
        ['Tree ID', info.treeID],
      ]),
    ),
    section('Latest checkpoint', checkpointOut),
    section('Entries over time', chartOut),
    section('Newest entries', recentOut),
  );
  await Promise.all([
    showCheckpoint(checkpointOut, info.signedTreeHead),
    showChart(chartOut),
    showRecent(recentOut, info.treeSize),
    showV2(v2Out),
  ]);
}

/** The Rekor v2 log where the server runs one (`signet up`): its tree, checkpoint and newest entries. */
async function showV2(out: HTMLElement): Promise<void> {
  let log: V2LogJson | undefined;
  try {
    log = await api.v2Log();
  } catch (e) {
    out.replaceChildren(message('error', `Could not read the Rekor v2 log: ${(e as Error).message}`));
    return;
  }
  if (!log) return;
  const checkpointOut = h('div', {}, message('info', 'Verifying the checkpoint…'));
  const recentOut = h('div', {}, message('info', 'Loading…'));
  out.replaceChildren(
    h('h2', {}, 'Rekor v2 log (where keyless signing goes by default)'),
    section(
      'Tree',
      facts([
        ['Tree size', h('strong', { id: 'v2-tree-size' }, log.treeSize.toLocaleString('en'))],
        ['Root hash', mono(log.rootHash)],
        ['Origin', log.origin],
      ]),
    ),
    section('Latest checkpoint', checkpointOut),
    section('Newest entries', recentOut),
  );
  const keyHash = toHex(fromBase64(log.logId).subarray(0, 4));
  const size = log.treeSize;
  await Promise.all([
    importLogKey(log.publicKey).then(
      (key) => showNote(checkpointOut, log.checkpoint, key, keyHash, 'v2-signatures'),
      (e: Error) => checkpointOut.replaceChildren(message('error', `Could not read the v2 key: ${e.message}`)),
    ),
    Promise.all(Array.from({ length: Math.min(RECENT, size) }, (_, i) => api.v2Entry(size - 1 - i))).then(
      (entries) => recentOut.replaceChildren(size === 0 ? message('info', 'The log is empty.') : v2EntryTable(entries)),
      (e: Error) => recentOut.replaceChildren(message('error', `Could not load entries: ${e.message}`)),
    ),
  ]);
}

async function showCheckpoint(out: HTMLElement, fallback: string): Promise<void> {
  try {
    // The tiles API's published checkpoint carries witness cosignatures; an older server has only the STH.
    const note = await api.checkpoint().catch(() => fallback);
    const key = await importLogKey(await api.publicKey());
    showNote(out, note, key, key.keyHash, 'signatures');
  } catch (e) {
    out.replaceChildren(message('error', `Could not read the checkpoint: ${(e as Error).message}`));
  }
}

/** A checkpoint with each signature line: the log's own verified with its key, witness lines listed. */
async function showNote(out: HTMLElement, note: string, key: LogKey, keyHash: string, listId: string): Promise<void> {
  try {
    const cp = parseCheckpoint(note);
    const rows = await Promise.all(
      cp.signatures.map(async (s) => {
        const mine = s.keyHash === keyHash;
        const ok = mine && (await key.verify(utf8(cp.text), s.signature));
        const when = mine ? undefined : cosignatureTime(s);
        const status = mine
          ? ok
            ? '✓ log signature, verified'
            : '✗ log signature does NOT verify'
          : 'witness cosignature (not verified here: the browser has no witness keys)';
        return h(
          'li',
          { class: mine ? (ok ? 'pass' : 'fail') : '' },
          h('strong', {}, s.name),
          ` key ${s.keyHash}: ${status}`,
          when ? `, cosigned ${when.toISOString()}` : '',
        );
      }),
    );
    out.replaceChildren(
      facts([
        ['Origin', cp.origin],
        ['Size', String(cp.size)],
        ['Root hash', mono(toHex(cp.rootHash))],
        ['Signatures', h('ul', { class: 'checks', id: listId }, rows)],
      ]),
      h('details', {}, h('summary', {}, 'Signed note'), h('pre', { class: 'mono' }, note)),
    );
  } catch (e) {
    out.replaceChildren(message('error', `Could not read the checkpoint: ${(e as Error).message}`));
  }
}

async function showChart(out: HTMLElement): Promise<void> {
  try {
    const t = await api.timeline();
    if (t.points.length < 2) {
      out.replaceChildren(message('info', 'Not enough entries for a chart yet.'));
      return;
    }
    out.replaceChildren(
      growthChart(t.points, t.treeSize),
      h('p', { class: 'hint' }, `Cumulative entries, from ${t.points.length} samples of integration times.`),
    );
  } catch (e) {
    out.replaceChildren(message('error', `Could not load the timeline: ${(e as Error).message}`));
  }
}

async function showRecent(out: HTMLElement, size: number): Promise<void> {
  if (size === 0) {
    out.replaceChildren(message('info', 'The log is empty.'));
    return;
  }
  try {
    const indexes = Array.from({ length: Math.min(RECENT, size) }, (_, i) => size - 1 - i);
    const maps = await api.entriesByIndexes(indexes);
    out.replaceChildren(entryTable(maps.map(only)));
  } catch (e) {
    out.replaceChildren(message('error', `Could not load entries: ${(e as Error).message}`));
  }
}
