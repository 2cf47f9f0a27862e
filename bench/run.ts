/**
 * `npm run bench [-- NAME...] [-- --flags]`: runs the named benchmarks (all when none is named), each in its own
 * process so one's warm-up or load does not colour another's figures. Names are the files in bench/ (log, verify,
 * ca, tsa, sign, merkle, digest-verify, entry-types, log-scale, rekor-v2...). Flags after the names go to every benchmark.
 * `bulk-load` builds a large log and is run by hand (`node dist/bench/bulk-load.js --help`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.js') && !['run.js', 'workload.js', 'serve.js'].includes(f))
  .map((f) => f.slice(0, -3))
  .sort();
const args = process.argv.slice(2);
const names = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const unknown = names.filter((n) => !available.includes(n));
if (unknown.length) {
  console.error(`unknown benchmark ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
let failed = 0;
const byDefault = available.filter((n) => n !== 'bulk-load');
for (const name of names.length ? names : byDefault) {
  console.log(`\n== ${name}`);
  const run = spawnSync(process.execPath, [join(here, `${name}.js`), ...flags], { stdio: 'inherit' });
  if (run.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
