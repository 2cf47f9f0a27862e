/** Builds DOM nodes from data: text always goes in as text nodes, never as HTML, so log content cannot inject. */

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...kids: Array<Child | Child[]>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, kids);
  return el;
}

export function append(el: Element, kids: Array<Child | Child[]>): void {
  for (const k of kids.flat()) {
    if (k === null || k === undefined || k === false) continue;
    el.append(typeof k === 'string' || typeof k === 'number' ? document.createTextNode(String(k)) : k);
  }
}

/** A two-column definition table; rows with an undefined value are left out. */
export function facts(rows: Array<[string, Child | Child[]]>): HTMLElement {
  const present = rows.filter(([, v]) => v !== undefined && v !== null && v !== '');
  return h('dl', { class: 'facts' }, ...present.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, ...[v].flat())]));
}

/** Long values (hashes, signatures) in a monospace block that wraps anywhere. */
export const mono = (s: string): HTMLElement => h('code', { class: 'mono' }, s);

export const link = (href: string, text: Child): HTMLAnchorElement => h('a', { href }, text);

export function section(title: string, ...kids: Array<Child | Child[]>): HTMLElement {
  return h('section', { class: 'card' }, h('h2', {}, title), ...kids);
}

export function message(kind: 'error' | 'info', text: string): HTMLElement {
  return h('p', { class: `msg ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function formatTime(unixSeconds: number): string {
  return `${new Date(unixSeconds * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
