import assert from 'node:assert/strict';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';

/**
 * rekor-cli's config file and REKOR_* variables for `signet log ...`: `$HOME/.rekor.yaml` (or `--config FILE`) names
 * the log and other flags; the environment overrides the file and the command line overrides both.
 */
describe('signet log: rekor-cli config file', () => {
  let log: RunningStack | undefined;
  let dir = '';
  let home = '';
  const run = (args: string[], env: Record<string, string> = {}) =>
    runSignetAsync(['log', ...args], {
      env: { HOME: home, SIGNET_REKOR_URL: '', REKOR_SERVER: '', SIGNET_LOG_LEVEL: 'warn', ...env },
    });
  const ok = (r: { status: number | null; stderr: string }) => assert.equal(r.status, 0, r.stderr);
  const dead = 'http://127.0.0.1:9'; // discard port: nothing answers

  before(async () => {
    log = await startSignet(['log', 'serve']);
    dir = tempDir('signet-rekor-config-');
    home = join(dir, 'home');
    mkdirSync(home);
  });
  after(async () => {
    await log?.stop();
    if (log) rmSync(log.dataDir, { recursive: true, force: true });
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('$HOME/.rekor.yaml names the log; REKOR_REKOR_SERVER and the flag override it', async () => {
    writeFileSync(
      join(home, '.rekor.yaml'),
      `# as rekor-cli reads it\nrekor_server: ${log!.url}   # the log\nformat: "json"\nstore_tree_state: false\n`,
    );
    const info = await run(['loginfo']);
    ok(info);
    assert.equal(JSON.parse(info.stdout).ActiveTreeSize, 0, 'format: json came from the file');
    assert.equal(existsSync(join(home, '.signet')), false, 'store_tree_state: false came from the file');
    const byEnv = await run(['loginfo', '--retry', '0', '--timeout', '2s'], { REKOR_REKOR_SERVER: dead });
    assert.equal(byEnv.status, 1);
    assert.match(byEnv.stderr, /cannot reach http:\/\/127\.0\.0\.1:9/);
    ok(await run(['loginfo', '--rekor_server', log!.url], { REKOR_REKOR_SERVER: dead }));
    const text = await run(['loginfo', '--format', 'default', '--store_tree_state=false']);
    ok(text);
    assert.match(text.stdout, /^Verification Successful!/);
    assert.match(text.stderr, new RegExp(`^Using config file: ${join(home, '.rekor.yaml')}$`, 'm'));
    rmSync(join(home, '.rekor.yaml'));
  });

  it('--config FILE (JSON or YAML); bad files are one-line errors', async () => {
    const json = join(dir, 'rekor.json');
    writeFileSync(json, JSON.stringify({ rekor_server: log!.url, format: 'json', store_tree_state: 'false' }));
    ok(await run(['loginfo', '--config', json]));
    const yaml = join(dir, 'rekor.yml');
    writeFileSync(yaml, `rekor_server: '${log!.url}'\nformat: json\nstore_tree_state: false\n`);
    ok(await run(['loginfo', '--config', yaml, '--rekor-url', log!.url]));

    const cases: [content: string, name: string, error: string][] = [
      [
        'rekor:\n  server: x\n',
        'nested.yaml',
        'line 2: an indented line (nested YAML); signet reads flat `key: value` YAML only',
      ],
      ['format: [json]\n', 'list.yaml', 'line 1: a value YAML reads as more than a string ([); signet reads flat'],
      ['format: xml\n', 'choice.yaml', 'format: "xml" is not one of default, json, tle'],
      [
        'store_tree_state: maybe\n',
        'bool.yaml',
        'store_tree_state: --store-tree-state takes true or false, got "maybe"',
      ],
      ['{"format": ', 'bad.json', 'is not JSON'],
      ['rekor_server = "x"\n', 'rekor.toml', 'is toml; signet reads .json, .yaml and .yml'],
    ];
    for (const [content, name, error] of cases) {
      writeFileSync(join(dir, name), content);
      const r = await run(['loginfo', '--config', join(dir, name)]);
      assert.equal(r.status, 1, name);
      const [first, ...rest] = r.stderr.trim().split('\n');
      assert.ok(first!.startsWith('signet: error: ') && first!.includes(error), `${name}: ${r.stderr}`);
      assert.ok(
        rest.every((l) => l.startsWith('signet: hint: ')),
        r.stderr,
      );
    }
    const missing = await run(['loginfo', '--config', join(dir, 'nope.yaml')]);
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /^signet: error: cannot read the config file .*nope\.yaml: ENOENT$/m);
  });
});
