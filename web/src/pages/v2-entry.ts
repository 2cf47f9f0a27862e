import { api } from '../api.js';
import { facts, h, message, mono, section } from '../dom.js';
import { importLogKey } from '../lib/log-key.js';
import { verifyV2Entry, type V2EntryJson } from '../lib/verify-v2-entry.js';
import type { CheckResult } from '../lib/verify-entry.js';
import { bodySections, rawBody } from './entry.js';

/** A Rekor v2 entry: `#/v2/<log index>`, verified in the browser against the v2 log's key and checkpoint. */
export async function v2EntryPage(root: HTMLElement, index: number): Promise<void> {
  root.replaceChildren(message('info', 'Loading entry…'));
  let entry: V2EntryJson;
  try {
    entry = await api.v2Entry(index);
  } catch (e) {
    root.replaceChildren(message('error', `Could not load the Rekor v2 entry: ${(e as Error).message}`));
    return;
  }
  const p = entry.inclusionProof;
  const verification = h('div', { id: 'verification' }, message('info', 'Verifying in the browser…'));
  root.replaceChildren(
    h('h1', {}, `Rekor v2 entry ${entry.logIndex}`),
    section('Verification', verification),
    ...bodySections(entry),
    section(
      'Log entry',
      facts([
        ['Log', 'Rekor v2'],
        ['Log index', String(entry.logIndex)],
        ['Leaf hash', mono(entry.leafHash)],
        [
          'Integrated time',
          'None: Rekor v2 logs no time and signs no entry timestamp; the signing time comes from the timestamp authority’s token in the bundle.',
        ],
      ]),
    ),
    section(
      'Inclusion proof',
      facts([
        ['Tree size', String(p.treeSize)],
        ['Root hash', mono(p.rootHash)],
        [
          'Hashes',
          p.hashes.length
            ? h(
                'ol',
                { class: 'hashes' },
                p.hashes.map((x) => h('li', {}, mono(x))),
              )
            : '(none)',
        ],
        ['Checkpoint', h('pre', { class: 'mono' }, p.checkpoint)],
      ]),
    ),
    section(
      'Raw body',
      h('details', {}, h('summary', {}, 'Canonical JSON'), h('pre', { class: 'mono' }, rawBody(entry.body))),
    ),
  );
  try {
    const log = await api.v2Log();
    if (!log) throw new Error('this server has no Rekor v2 log');
    const key = await importLogKey(log.publicKey);
    showChecks(
      verification,
      await verifyV2Entry(entry, log, key),
      `Log key ${key.algorithm} (${log.origin}), checked with WebCrypto against /explorer/api/v2/log.`,
    );
  } catch (e) {
    verification.replaceChildren(
      h(
        'p',
        { class: 'verdict fail', id: 'verdict', 'data-result': 'fail', role: 'status' },
        `✗ Could not verify: ${(e as Error).message}`,
      ),
    );
  }
}

function showChecks(out: HTMLElement, checks: CheckResult[], hint: string): void {
  const ok = checks.every((c) => c.ok);
  out.replaceChildren(
    h(
      'p',
      { class: `verdict ${ok ? 'pass' : 'fail'}`, id: 'verdict', 'data-result': ok ? 'pass' : 'fail', role: 'status' },
      ok ? '✓ Verified in your browser' : '✗ Verification FAILED',
    ),
    h(
      'ul',
      { class: 'checks' },
      checks.map((c) =>
        h(
          'li',
          { class: c.ok ? 'pass' : 'fail' },
          h('span', { class: 'mark' }, c.ok ? '✓' : '✗'),
          ` ${c.name}: `,
          h('span', { class: 'wrap' }, c.detail),
        ),
      ),
    ),
    message('info', 'No signed entry timestamp to check: Rekor v2 signs none (not a failure).'),
    h('p', { class: 'hint' }, hint),
  );
}
