import { invalidInput } from '../../errors.js';

/**
 * The subset of Go text/template that Fulcio's CI templates use: `{{ .claim }}`, `{{ index . "a/b" }}` (with or
 * without parentheses) and `{{if eq <arg> "lit"}}...{{ else }}...{{end}}`. A missing value is an error, as Go's
 * `missingkey=error`. A template without `{{` names a claim.
 */
export function applyTemplate(template: string, values: Record<string, string>): string {
  if (!template.includes('{{')) return lookup(values, template);
  const tokens = tokenize(template);
  const [out, rest] = render(tokens, 0, values, true);
  if (rest !== tokens.length)
    throw invalidInput(`template ${JSON.stringify(template)} has an unmatched {{end}} or {{else}}`);
  return out;
}

type Token = { text: string } | { action: string };

function tokenize(t: string): Token[] {
  const tokens: Token[] = [];
  const re = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;
  let last = 0;
  for (let m = re.exec(t); m; m = re.exec(t)) {
    if (m.index > last) tokens.push({ text: t.slice(last, m.index) });
    tokens.push({ action: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < t.length) tokens.push({ text: t.slice(last) });
  return tokens;
}

/** Renders from `i` until `{{else}}`/`{{end}}` or the end; returns the text and the index of the stopping token. */
function render(tokens: Token[], i: number, values: Record<string, string>, emit: boolean): [string, number] {
  let out = '';
  while (i < tokens.length) {
    const tok = tokens[i]!;
    if ('text' in tok) {
      out += emit ? tok.text : '';
      i++;
      continue;
    }
    const a = tok.action;
    if (a === 'else' || a === 'end') return [out, i];
    if (a.startsWith('if ')) {
      const cond = emit ? evalCondition(a.slice(3).trim(), values) : false;
      const [yes, j] = render(tokens, i + 1, values, emit && cond);
      let k = j;
      let no = '';
      if (isAction(tokens[k], 'else')) [no, k] = render(tokens, k + 1, values, emit && !cond);
      if (!isAction(tokens[k], 'end')) throw invalidInput('template has an {{if}} without {{end}}');
      out += cond ? yes : no;
      i = k + 1;
      continue;
    }
    out += emit ? evalValue(a, values) : '';
    i++;
  }
  return [out, i];
}

function isAction(t: Token | undefined, name: string): boolean {
  return t !== undefined && 'action' in t && t.action === name;
}

function evalCondition(expr: string, values: Record<string, string>): boolean {
  const m = /^eq\s+(\(.*?\)|\S+)\s+"((?:[^"\\]|\\.)*)"$/.exec(expr);
  if (!m) throw invalidInput(`template condition ${JSON.stringify(expr)} is not supported (use eq .claim "value")`);
  return evalValue(m[1]!, values) === m[2];
}

function evalValue(expr: string, values: Record<string, string>): string {
  const e = expr.replace(/^\((.*)\)$/, '$1').trim();
  const index = /^index\s+\.\s+"((?:[^"\\]|\\.)*)"$/.exec(e);
  if (index) return lookup(values, index[1]!);
  const field = /^\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(e);
  if (field) return lookup(values, field[1]!);
  throw invalidInput(`template action {{${expr}}} is not supported`);
}

function lookup(values: Record<string, string>, key: string): string {
  if (!Object.hasOwn(values, key)) throw invalidInput(`value ${key} not present in either claims or defaults`);
  return values[key]!;
}
