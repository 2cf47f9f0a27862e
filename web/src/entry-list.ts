import { formatTime, h, link } from './dom.js';
import { signerIdentity } from './lib/certificate.js';
import { decodeEntryBody } from './lib/entry-body.js';
import type { LogEntryJson } from './lib/verify-entry.js';
import type { V2EntryJson } from './lib/verify-v2-entry.js';

/** Who signed an entry, in a few words: the certificate identity, else the key algorithm or format. */
export function signerLabel(e: { body: string }): { kind: string; who: string } {
  try {
    const s = decodeEntryBody(e.body);
    const first = s.signatures[0];
    const cert = first?.certificate;
    const who = cert
      ? (signerIdentity(cert).identity ?? cert.subject)
      : first?.keyAlgorithm
        ? `${first.keyAlgorithm} key`
        : `${first?.format ?? 'unknown'} key`;
    return { kind: s.kind, who };
  } catch {
    return { kind: '?', who: 'undecodable body' };
  }
}

/** A table of entries, newest first, each linking to its entry page. */
export function entryTable(entries: Array<[string, LogEntryJson]>): HTMLElement {
  const rows = [...entries]
    .sort((a, b) => b[1].logIndex - a[1].logIndex)
    .map(([id, e]) => {
      const { kind, who } = signerLabel(e);
      return h(
        'tr',
        {},
        h('td', { 'data-label': 'Index' }, link(`#/entry/${id}`, String(e.logIndex))),
        h('td', { 'data-label': 'Kind' }, kind),
        h('td', { 'data-label': 'Signer', class: 'wrap' }, who),
        h('td', { 'data-label': 'Integrated' }, formatTime(e.integratedTime)),
      );
    });
  return h(
    'table',
    { class: 'list' },
    h(
      'thead',
      {},
      h('tr', {}, h('th', {}, 'Index'), h('th', {}, 'Kind'), h('th', {}, 'Signer'), h('th', {}, 'Integrated')),
    ),
    h('tbody', {}, rows),
  );
}

/** A table of Rekor v2 entries, newest first, each linking to its page `#/v2/<index>`; v2 logs no time. */
export function v2EntryTable(entries: V2EntryJson[]): HTMLElement {
  const rows = [...entries]
    .sort((a, b) => b.logIndex - a.logIndex)
    .map((e) => {
      const { kind, who } = signerLabel(e);
      return h(
        'tr',
        {},
        h('td', { 'data-label': 'Index' }, link(`#/v2/${e.logIndex}`, String(e.logIndex))),
        h('td', { 'data-label': 'Kind' }, `${kind} (v2)`),
        h('td', { 'data-label': 'Signer', class: 'wrap' }, who),
      );
    });
  return h(
    'table',
    { class: 'list v2' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Index'), h('th', {}, 'Kind'), h('th', {}, 'Signer'))),
    h('tbody', {}, rows),
  );
}
