import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { repoRoot } from './helpers/env.js';

// The layout rules of STYLE.md, checked on the sources so a change that breaks one fails here and names the file.
// A domain is a folder under src/; src/errors.ts, the one error type, is shared by all and is not a domain.

/**
 * For each domain, the domains it may import. Derived from what the code did when the table was written; a new
 * arrow goes here only if it keeps the layering (`cli -> sign/verify/oci -> bundle/crypto/merkle`,
 * `stack -> log/ca -> merkle/crypto`) and makes no cycle (the test below refuses one).
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  // pure foundations
  encoding: [],
  merkle: [],
  metrics: [],
  crypto: ['encoding'],
  note: ['crypto'],
  bundle: ['crypto', 'encoding'],
  verify: ['bundle', 'crypto', 'encoding', 'merkle', 'note'],
  // clients
  'rekor-client': ['bundle', 'encoding', 'merkle', 'verify'],
  'tsa-client': ['encoding'],
  oci: [],
  // fetch over node:http for short CLI runs (undici's load costs about Node's start), shared by sign and oidc
  'http-client': [],
  sign: ['bundle', 'crypto', 'encoding', 'http-client', 'rekor-client', 'tsa-client'],
  image: ['bundle', 'oci', 'sign', 'verify'],
  monitor: ['merkle', 'note', 'rekor-client', 'verify'],
  trust: ['bundle', 'crypto'],
  // servers
  http: ['metrics'],
  workers: [],
  log: ['bundle', 'crypto', 'encoding', 'http', 'merkle', 'metrics', 'note', 'workers'],
  'rekor-v2': ['crypto', 'encoding', 'http', 'log', 'merkle', 'metrics', 'note', 'workers'],
  // workers: the CT store's batch commits run on a writer thread (writer-thread.ts), as the log's SQLite store's do
  ct: ['encoding', 'http', 'merkle', 'workers'],
  oidc: ['http', 'http-client'],
  ca: ['crypto', 'ct', 'encoding', 'http', 'metrics', 'oidc'],
  tsa: ['ca', 'encoding', 'http'],
  tuf: ['bundle', 'encoding', 'http'],
  stack: ['bundle', 'ca', 'crypto', 'ct', 'http', 'log', 'metrics', 'oidc', 'rekor-v2', 'tsa', 'tuf'],
  // the edge
  cli: [
    'bundle',
    'ca',
    'crypto',
    'encoding',
    'image',
    'log',
    'metrics',
    'monitor',
    'note',
    'oci',
    'oidc',
    'rekor-client',
    'sign',
    'stack',
    'trust',
    'tsa',
    'tuf',
    'verify',
  ],
};

/** Domains that never touch the disk, the network or other processes, not even through what they import. */
const PURE = ['encoding', 'merkle', 'note', 'crypto', 'bundle', 'verify'];

/** Arrows that must not exist, directly or through other domains, whatever the table says. */
const NEVER: readonly [from: string, to: string, why: string][] = [
  ['crypto', 'bundle', 'keys and signatures sit below the bundle format that carries them'],
  ...Object.keys(MAY_IMPORT)
    .filter((d) => d !== 'cli')
    .map((d): [string, string, string] => [d, 'cli', 'nothing imports the CLI']),
];

/** A call of the global `fetch`, listed among a file's imports as if it were one. */
const GLOBAL_FETCH = 'fetch()';
/** What does I/O: Node's file, network and process modules, the database drivers, the HTTP server, fetch. */
const IO =
  /^(node:)?(fs|net|http|https|http2|tls|dgram|dns|child_process|worker_threads|cluster|readline)(\/|$)|^(pg|better-sqlite3|fastify|fetch\(\))$/;

interface Import {
  spec: string;
  /** Erased at runtime (`import type`, `export type`): counts for layering, not for purity. */
  typeOnly: boolean;
  /** The file under src/ it names (relative to src/, .ts), for relative imports. */
  target?: string;
}

const src = join(repoRoot, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Every static import and re-export, and every `import('...')` with a literal, as the compiler parses them. */
function importsOf(path: string): Import[] {
  const file = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: Import[] = [];
  const add = (spec: string, typeOnly: boolean) => {
    const target = spec.startsWith('.')
      ? relative(src, resolve(dirname(path), spec)).replace(/\.js$/, '.ts')
      : undefined;
    found.push({ spec, typeOnly, target });
  };
  const visit = (node: ts.Node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.importClause?.isTypeOnly ?? false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, node.isTypeOnly);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      add(node.arguments[0].text, false);
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'fetch') {
      add(GLOBAL_FETCH, false); // the network without an import
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const graph = new Map(sourceFiles(src).map((path) => [relative(src, path), importsOf(path)]));
const files = [...graph.keys()].sort();
const SHARED = 'errors.ts';
const domainOf = (file: string) => (file.includes('/') ? file.slice(0, file.indexOf('/')) : file);
const domains = readdirSync(src)
  .filter((name) => statSync(join(src, name)).isDirectory())
  .sort();

/** Each import that leaves its file's domain for another domain (src/errors.ts excluded). */
const crossings = files.flatMap((file) =>
  graph
    .get(file)!
    .filter((i) => i.target && i.target !== SHARED && domainOf(i.target) !== domainOf(file))
    .map((i) => ({ file, from: domainOf(file), to: domainOf(i.target!), target: i.target!, spec: i.spec })),
);

test('the table names every domain, and every domain others import has a root index.ts', () => {
  const problems = [
    ...domains.filter((d) => !(d in MAY_IMPORT)).map((d) => `src/${d}/ is a domain with no row in MAY_IMPORT`),
    ...Object.keys(MAY_IMPORT)
      .filter((d) => !domains.includes(d))
      .map((d) => `MAY_IMPORT has a row for ${d}, which is not a folder under src/`),
    ...Object.entries(MAY_IMPORT).flatMap(([d, to]) =>
      to.filter((t) => !(t in MAY_IMPORT)).map((t) => `MAY_IMPORT lets ${d} import ${t}, which is not a domain`),
    ),
    ...domains
      .filter((d) => Object.values(MAY_IMPORT).some((to) => to.includes(d)) && !existsSync(join(src, d, 'index.ts')))
      .map((d) => `src/${d}/ has no index.ts (its only public face)`),
    ...files
      .filter((f) => !f.includes('/') && f !== SHARED)
      .map((f) => `src/${f} stands outside any domain (only src/${SHARED} is shared)`),
  ];
  assert.deepEqual(problems, []);
});

test('a domain imports only the domains its row allows', () => {
  const bad = crossings
    .filter((c) => !MAY_IMPORT[c.from]?.includes(c.to))
    .map(
      (c) =>
        `src/${c.file} imports '${c.spec}': ${c.from} may not import ${c.to} ` +
        `(it may import: ${MAY_IMPORT[c.from]?.join(', ') || 'no other domain'})`,
    );
  assert.deepEqual(bad, []);
});

test('another domain is imported only through its root index.ts', () => {
  const bad = crossings
    .filter((c) => c.target !== `${c.to}/index.ts`)
    .map((c) => `src/${c.file} imports '${c.spec}': reach ${c.to} through src/${c.to}/index.ts only`);
  assert.deepEqual(bad, []);
});

test('the domains form no cycle', () => {
  const cycles: string[] = [];
  const done = new Set<string>();
  const walk = (d: string, path: string[]) => {
    if (path.includes(d)) {
      cycles.push([...path.slice(path.indexOf(d)), d].join(' -> '));
      return;
    }
    if (done.has(d)) return;
    for (const next of MAY_IMPORT[d] ?? []) walk(next, [...path, d]);
    done.add(d);
  };
  for (const d of Object.keys(MAY_IMPORT)) walk(d, []);
  assert.deepEqual(cycles, [], 'MAY_IMPORT allows a cycle between domains');
});

test('forbidden arrows exist neither directly nor through other domains', () => {
  const reach = (from: string, seen = new Set<string>()): Set<string> => {
    for (const next of MAY_IMPORT[from] ?? []) if (!seen.has(next)) reach(next, seen.add(next));
    return seen;
  };
  const bad = [
    ...NEVER.filter(([from, to]) => reach(from).has(to)).map(
      ([from, to, why]) => `MAY_IMPORT lets ${from} reach ${to}: ${why}`,
    ),
    ...crossings
      .filter((c) => NEVER.some(([from, to]) => c.from === from && c.to === to))
      .map((c) => `src/${c.file} imports '${c.spec}': ${NEVER.find(([f, t]) => f === c.from && t === c.to)![2]}`),
  ];
  assert.deepEqual(bad, []);
});

test('pure domains do no I/O, not even through what they import', () => {
  // The first chain of runtime imports from `file` that ends in an I/O module, if any (type-only imports are
  // erased by tsc and do not count).
  const memo = new Map<string, string[] | null>();
  const ioChain = (file: string, visiting: Set<string>): string[] | null => {
    if (memo.has(file)) return memo.get(file)!;
    if (visiting.has(file)) return null;
    visiting.add(file);
    let chain: string[] | null = null;
    for (const i of graph.get(file) ?? []) {
      if (i.typeOnly) continue;
      if (IO.test(i.spec)) chain = [file, i.spec];
      else if (i.target && graph.has(i.target)) {
        const rest = ioChain(i.target, visiting);
        if (rest) chain = [file, ...rest];
      }
      if (chain) break;
    }
    visiting.delete(file);
    memo.set(file, chain);
    return chain;
  };
  // One line where the I/O enters: at the pure file that imports it or that steps out of its domain towards it.
  const bad = files
    .filter((f) => PURE.includes(domainOf(f)))
    .map((f) => ioChain(f, new Set()))
    .filter((chain) => chain !== null && (chain.length === 2 || domainOf(chain[1]!) !== domainOf(chain[0]!)))
    .map((chain) => `src/${chain![0]} is in a pure domain but does I/O: ${chain!.join(' -> ')}`);
  assert.deepEqual(bad, []);
});

test('only storage code imports a database driver', () => {
  const storage = (f: string) => f.startsWith('log/storage/') || f === 'ct/store.ts' || f === 'ct/store-schema.ts';
  const bad = files.flatMap((f) =>
    graph
      .get(f)!
      .filter((i) => !storage(f) && (i.spec === 'pg' || i.spec === 'better-sqlite3'))
      .map((i) => `src/${f} imports ${i.spec}: only log/storage/ and ct/store(-schema).ts talk to a database`),
  );
  assert.deepEqual(bad, []);
});

test('the checker sees what it checks', () => {
  // Guards the parser: if it stopped finding imports, every rule above would pass vacuously.
  assert.ok(crossings.length > 100, `only ${crossings.length} cross-domain imports found`);
  assert.ok(crossings.some((c) => c.from === 'cli' && c.to === 'sign'));
  assert.ok(graph.get('crypto/keys.ts')!.some((i) => i.spec === 'node:crypto'));
});
