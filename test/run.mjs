#!/usr/bin/env node
// Runs the compiled tests (`tsc` puts them in dist/test). `node test/run.mjs unit` skips test/e2e.
// Any other argument filters test files by substring: `node test/run.mjs merkle`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../dist/test/', import.meta.url).pathname;
const filter = process.argv[2] ?? '';
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.js')) files.push(path);
  }
})(root);
const chosen = files.filter((f) =>
  filter === 'unit' ? !f.includes('/e2e/') : filter === '' ? true : f.slice(root.length).includes(filter),
);
if (chosen.length === 0) {
  console.error(`no test files match "${filter}" under ${root} (run \`npm run build\` first)`);
  process.exit(1);
}
// A file that leaves a handle open (a socket, a timer) never exits: the timeout fails it by name, in minutes,
// instead of holding the whole run until CI gives up.
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=900000', ...chosen], {
  stdio: 'inherit',
});
process.exit(run.status ?? 1);
