#!/usr/bin/env node
// Builds the optional OpenSSL digest verifier (binding.gyp) at install time. A failed build is not an error:
// signet then verifies digests with its JavaScript fallback (slower), and says so in `digestVerifyBackend()`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const args = ['rebuild', '--release', '--loglevel=warn'];
// Node's own headers (node_api.h, openssl/*.h) usually sit beside the binary: use them instead of downloading.
const prefix = dirname(dirname(process.execPath));
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) {
  args.push(`--nodedir=${prefix}`);
}

// npm tells scripts where its bundled node-gyp is; run by hand, look for npm's copy beside Node.
const bundled = join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const gyp = process.env.npm_config_node_gyp ?? (existsSync(bundled) ? bundled : undefined);
const cmd = gyp ? [process.execPath, [gyp, ...args]] : ['node-gyp', args];
const run = spawnSync(cmd[0], cmd[1], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], shell: false });
if (run.status !== 0) {
  console.warn('signet: the native digest verifier did not build; digests are verified in JavaScript instead');
}
