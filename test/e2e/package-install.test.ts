// The package as a user gets it (issue 9, first contact): `npm pack` of this checkout's build, a global install of
// the tarball into a temporary prefix (dependencies from the npm registry), then the installed `signet`. The
// install must print no EBADENGINE warning on the Node versions package.json claims (`overrides` do not reach a
// global install, so the light-my-request pin below fastify is a direct dependency).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../helpers/env.js';
import { tempDir } from '../helpers/process.js';

const dir = tempDir('signet-pack-');
after(() => rmSync(dir, { recursive: true, force: true }));

// Where GitHub is out of reach, better-sqlite3 has no prebuilt binary to download and compiles from source: minutes
// on a busy 2-core machine. npm runs in its own process group so that a timeout stops the compilers too.
const NPM_TIMEOUT_MS = 900_000;

function npm(args: string[], cwd = repoRoot): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', args, {
      cwd,
      detached: true,
      env: { ...process.env, npm_config_loglevel: 'warn' },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n(npm ${args[0]} still running after ${NPM_TIMEOUT_MS / 1000} s: stopped)`;
      process.kill(-child.pid!, 'SIGKILL');
    }, NPM_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, output: output.slice(-4000) });
    });
  });
}

test(
  'npm pack + npm install -g of the tarball gives a working signet, with no engine warnings',
  { timeout: 2 * NPM_TIMEOUT_MS + 60_000 },
  async () => {
    // --ignore-scripts: pack what the build already made (dist/), instead of recompiling it in `prepare`.
    const pack = await npm(['pack', '--ignore-scripts', '--pack-destination', dir]);
    assert.equal(pack.status, 0, pack.output);
    const tarball = readdirSync(dir).find((n) => /^signet-sigstore-.*\.tgz$/.test(n));
    assert.ok(tarball, `npm pack made no signet-sigstore tarball: ${pack.output}`);

    const prefix = join(dir, 'prefix');
    const install = await npm(
      ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball)],
      dir,
    );
    assert.equal(install.status, 0, install.output);
    assert.doesNotMatch(install.output, /EBADENGINE/);

    const signet = join(prefix, 'bin', 'signet');
    const version = spawnSync(signet, ['version'], { encoding: 'utf8' });
    assert.equal(version.status, 0, version.stderr);
    assert.match(version.stdout, /^GitVersion:\s+v\d+\.\d+\.\d+/m);
    const help = spawnSync(signet, ['--help'], { encoding: 'utf8' });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: signet /m);
    assert.match(help.stdout, /sign-blob/);
  },
);
