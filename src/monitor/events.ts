import type { WatchMatch } from './watch.js';

export type Misbehaviour = 'bad-checkpoint' | 'rollback' | 'fork' | 'split-view' | 'bad-entry';

/** What the monitor reports, one JSON line each (or one human line). */
export type MonitorEvent =
  | { event: 'checkpoint'; url: string; size: number; rootHash: string; previousSize?: number; witnesses: string[] }
  | { event: 'entries'; url: string; start: number; end: number }
  | { event: 'match'; url: string; index: number; uuid?: string; kind: string; matches: WatchMatch[] }
  | { event: 'misbehaviour'; url: string; type: Misbehaviour; message: string }
  | { event: 'error'; url: string; message: string };

/** Events a person must act on: these go to the webhook. */
export const isAlert = (e: MonitorEvent) => e.event === 'match' || e.event === 'misbehaviour';

export function formatEvent(e: MonitorEvent, form: 'json' | 'text'): string {
  const line = { time: new Date().toISOString(), ...e };
  if (form === 'json') return JSON.stringify(line);
  switch (e.event) {
    case 'checkpoint': {
      const from = e.previousSize === undefined ? 'first seen' : `consistent with size ${e.previousSize}`;
      const w = e.witnesses.length ? `, cosigned by ${e.witnesses.join(', ')}` : '';
      return `checkpoint ${e.url}: size ${e.size}, root ${e.rootHash.slice(0, 16)}..., ${from}${w}`;
    }
    case 'entries':
      return `checked entries [${e.start}, ${e.end}) of ${e.url}`;
    case 'match':
      return `MATCH entry ${e.index} (${e.kind}) in ${e.url}: ${e.matches.map(describeMatch).join('; ')}`;
    case 'misbehaviour':
      return `ALERT ${e.type} at ${e.url}: ${e.message}`;
    case 'error':
      return `error at ${e.url}: ${e.message}`;
  }
}

const describeMatch = (m: WatchMatch) => `${m.reason} ${m.value}${m.issuer ? ` (issuer ${m.issuer})` : ''}`;

/** Posts an alert to a webhook as JSON; a failed delivery is reported, never fatal. */
export async function postWebhook(url: string, e: MonitorEvent, fetchImpl: typeof fetch = fetch): Promise<void> {
  const res = await fetchImpl(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ time: new Date().toISOString(), ...e }),
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) throw new Error(`webhook ${url} answered HTTP ${res.status}`);
}
