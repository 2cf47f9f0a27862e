const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/**
 * Cumulative entries over time as an inline SVG line chart (no library, no inline styles: colours come from
 * classes in app.css, so the page's CSP needs no 'unsafe-inline').
 */
export function growthChart(
  points: Array<{ logIndex: number; integratedTime: number }>,
  treeSize: number,
): SVGSVGElement {
  const W = 640;
  const H = 240;
  const pad = { l: 56, r: 12, t: 12, b: 28 };
  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': 'Entries over time' });
  if (points.length === 0) return root;
  const t0 = points[0]!.integratedTime;
  const t1 = Math.max(points[points.length - 1]!.integratedTime, t0 + 1);
  const x = (t: number) => pad.l + ((t - t0) / (t1 - t0)) * (W - pad.l - pad.r);
  const y = (n: number) => H - pad.b - (n / Math.max(treeSize, 1)) * (H - pad.t - pad.b);
  for (const f of [0, 0.5, 1]) {
    const n = Math.round(treeSize * f);
    root.append(
      svg('line', { x1: pad.l, x2: W - pad.r, y1: y(n), y2: y(n), class: 'grid' }),
      svg('text', { x: pad.l - 6, y: y(n) + 4, class: 'axis', 'text-anchor': 'end' }, n.toLocaleString('en')),
    );
  }
  for (const [t, anchor] of [
    [t0, 'start'],
    [t1, 'end'],
  ] as const) {
    const label = new Date(t * 1000).toISOString().slice(0, 19).replace('T', ' ');
    root.append(svg('text', { x: x(t), y: H - 8, class: 'axis', 'text-anchor': anchor }, label));
  }
  // Each sample: entries 0..logIndex existed at integratedTime, so logIndex + 1 is the count then.
  const path = points.map(
    (p, i) => `${i ? 'L' : 'M'}${x(p.integratedTime).toFixed(1)},${y(p.logIndex + 1).toFixed(1)}`,
  );
  root.append(svg('path', { d: path.join(' '), class: 'line' }));
  return root;
}
