// Runs every CLI scenario script in test/scenarios/*.txt (the syntax is in test/scenarios/README.md): each in its
// own work directory, with its own `signet up --port 0` and registry when the script asks for them.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { hasProgram, repoRoot, requireOrSkip } from '../helpers/env.js';
import { tempDir } from '../helpers/process.js';
import { parseScript, ScriptRun, splitWords } from '../helpers/testscript.js';

const dir = join(repoRoot, 'test', 'scenarios');

for (const name of readdirSync(dir).filter((n) => n.endsWith('.txt'))) {
  test(`scenario ${name}`, async (t) => {
    const script = parseScript(readFileSync(join(dir, name), 'utf8'));
    const programs = script.lines
      .map((l) => splitWords(l.text, () => ''))
      .filter((w) => w[0] === 'require')
      .flatMap((w) => w.slice(1));
    for (const p of programs) if (!requireOrSkip(t, hasProgram(p), `the program \`${p}\``)) return;
    const work = tempDir(`signet-scenario-${name.replace(/\.txt$/, '')}-`);
    const run = new ScriptRun(work);
    try {
      await run.run(script);
    } finally {
      await run.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
}
