import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { COMMANDS } from '../../src/cli/commands.js';
import { buildProgram } from '../../src/cli/program.js';
import { topLevelHelp } from '../../src/cli/top-help.js';
import { signetBin } from '../helpers/env.js';

test("signet --help from the manifest is commander's help of the full program, at every width", async () => {
  const program = await buildProgram(['--help']); // every command module
  assert.deepEqual(
    program.commands.map((c) => c.name()),
    Object.keys(COMMANDS),
    'the manifest lists every top-level command, in help order',
  );
  for (const width of [undefined, 40, 60, 80, 100, 120, 160, 200, 300]) {
    program.configureOutput({ getOutHelpWidth: () => width as number }); // undefined: not a terminal (80)
    assert.equal(topLevelHelp(width), program.helpInformation(), `width ${width}`);
  }
});

test('no command, help, -h and --help print the top-level help (no command: on stderr, exit code 1)', () => {
  const expected = topLevelHelp();
  for (const args of [['--help'], ['-h'], ['help']]) {
    const run = spawnSync(process.execPath, [signetBin, ...args], { encoding: 'utf8' });
    assert.deepEqual([run.status, run.stdout, run.stderr], [0, expected, ''], args.join(' '));
  }
  const bare = spawnSync(process.execPath, [signetBin], { encoding: 'utf8' });
  assert.deepEqual([bare.status, bare.stdout, bare.stderr], [1, '', expected]);
});

test("help <command> is that command's help", () => {
  const viaHelp = spawnSync(process.execPath, [signetBin, 'help', 'sign-blob'], { encoding: 'utf8' });
  const viaFlag = spawnSync(process.execPath, [signetBin, 'sign-blob', '--help'], { encoding: 'utf8' });
  assert.equal(viaHelp.status, 0, viaHelp.stderr);
  assert.equal(viaHelp.stdout, viaFlag.stdout);
  assert.match(viaHelp.stdout, /^Usage: signet sign-blob \[options\] <artifact>\n\nsign a file \(cosign sign-blob\)/);
});
