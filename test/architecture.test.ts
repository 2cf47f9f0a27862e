import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './helpers/env.js';

// The layout rules of STYLE.md, checked on the sources so a change that breaks them fails here.
const src = join(repoRoot, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /(?:from\s+|import\s*\(\s*)'([^']+)'/g;
const files = sourceFiles(src).map((path) => ({
  path: relative(src, path),
  imports: [...readFileSync(path, 'utf8').matchAll(IMPORT)].map((m) => m[1]!),
}));
const domainOf = (path: string) => path.split('/')[0]!.replace(/\.ts$/, '');
const resolved = (file: string, spec: string) => relative(src, resolve(dirname(join(src, file)), spec));

// A domain may have more than one face (oidc/provider and oidc/client).
test('another domain is imported only through an index.ts', () => {
  const bad = files.flatMap((f) =>
    f.imports
      .filter((s) => s.startsWith('.'))
      .map((s) => resolved(f.path, s))
      .filter((target) => {
        const domain = domainOf(target);
        const isFolder = !target.endsWith('.js') || target.includes('/');
        return domain !== domainOf(f.path) && isFolder && !target.endsWith('/index.js');
      })
      .map((target) => `${f.path} -> ${target}`),
  );
  assert.deepEqual(bad, []);
});

test('nothing imports the CLI', () => {
  const bad = files.filter(
    (f) => domainOf(f.path) !== 'cli' && f.imports.some((s) => resolved(f.path, s).startsWith('cli/')),
  );
  assert.deepEqual(
    bad.map((f) => f.path),
    [],
  );
});

test('only storage code imports a database driver', () => {
  const storage = (p: string) => p.startsWith('log/storage/') || p === 'ct/store.ts';
  const bad = files.filter((f) => !storage(f.path) && f.imports.some((s) => s === 'pg' || s === 'better-sqlite3'));
  assert.deepEqual(
    bad.map((f) => f.path),
    [],
  );
});

test('pure domains do no I/O', () => {
  const pure = ['merkle', 'note', 'bundle', 'encoding', 'verify'];
  const io = /^node:(fs|net|http|https|child_process|worker_threads|dgram)(\/|$)/;
  const bad = files.filter((f) => pure.includes(domainOf(f.path)) && f.imports.some((s) => io.test(s)));
  assert.deepEqual(
    bad.map((f) => f.path),
    [],
  );
});
