import { api, ApiError } from '../api.js';
import { formatTime, h, message, section } from '../dom.js';
import { signerIdentity } from '../lib/certificate.js';
import { parseCtLeaf, type CtEntry } from '../lib/ct-leaf.js';
import { certificateFacts } from './entry.js';

/** Certificates shown: the newest of the CT log. */
const RECENT = 20;

/** The CA page: recent certificates from the CA's RFC 6962 CT log (present in `signet up`). */
export async function caPage(root: HTMLElement): Promise<void> {
  root.replaceChildren(message('info', 'Loading the CT log…'));
  let size: number;
  try {
    size = (await api.ctSth()).tree_size;
  } catch (e) {
    const absent = e instanceof ApiError && e.status === 404;
    root.replaceChildren(
      h('h1', {}, 'Certificate authority'),
      message(
        absent ? 'info' : 'error',
        absent
          ? 'This server has no CT log: the CA runs in `signet up` (or `signet ca serve`).'
          : `Could not read the CT log: ${(e as Error).message}`,
      ),
    );
    return;
  }
  const entries: Array<{ index: number; e?: CtEntry; error?: string }> = [];
  if (size > 0) {
    const start = Math.max(0, size - RECENT);
    try {
      const got = (await api.ctEntries(start, size - 1)).entries;
      got.forEach((raw, i) => {
        try {
          entries.push({ index: start + i, e: parseCtLeaf(raw.leaf_input) });
        } catch (err) {
          entries.push({ index: start + i, error: (err as Error).message });
        }
      });
    } catch (e) {
      root.replaceChildren(message('error', `Could not read CT entries: ${(e as Error).message}`));
      return;
    }
  }
  root.replaceChildren(
    h('h1', {}, 'Certificate authority'),
    h('p', {}, `The CT log holds ${size.toLocaleString('en')} certificates; the newest ${entries.length} are below.`),
    ...entries
      .reverse()
      .map(({ index, e, error }) =>
        section(
          `#${index} ${e ? (signerIdentity(e.certificate).identity ?? e.certificate.subject) : ''}`,
          e
            ? h(
                'p',
                { class: 'hint' },
                `${e.type === 'precert' ? 'Precertificate' : 'Certificate'} logged ${formatTime(e.timestamp.getTime() / 1000)}`,
              )
            : undefined,
          e ? certificateFacts(e.certificate) : message('error', `Undecodable entry: ${error}`),
        ),
      ),
  );
}
