// The package as a user gets it (issue 9, first contact): `npm pack` of this checkout's build, a global install of
// the tarball into a temporary prefix (dependencies from the npm registry), then the installed `signet`. The
// install must print no EBADENGINE warning on the Node versions package.json claims (`overrides` do not reach a
// global install, so the light-my-request pin below fastify is a direct dependency).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { repoRoot } from '../helpers/env.js';
import { tempDir } from '../helpers/process.js';

const dir = tempDir('signet-pack-');
after(() => rmSync(dir, { recursive: true, force: true }));

const npm = (args: string[], cwd = repoRoot) =>
  spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, npm_config_loglevel: 'warn' },
  });

test(
  'npm pack + npm install -g of the tarball gives a working signet, with no engine warnings',
  { timeout: 360_000 },
  () => {
    // --ignore-scripts: pack what the build already made (dist/), instead of recompiling it in `prepare`.
    const pack = npm(['pack', '--ignore-scripts', '--pack-destination', dir]);
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = readdirSync(dir).find((n) => /^signet-sigstore-.*\.tgz$/.test(n));
    assert.ok(tarball, `npm pack made no signet-sigstore tarball: ${pack.stdout}`);

    const prefix = join(dir, 'prefix');
    const install = npm(
      ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', join(dir, tarball)],
      dir,
    );
    assert.equal(install.status, 0, install.stderr);
    assert.doesNotMatch(install.stdout + install.stderr, /EBADENGINE/);

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
