#!/usr/bin/env node
// Records the commit, tree state and build time in dist/src/build-info.json, after tsc, so `signet version` reports
// them without running git (what release-utils' ldflags do for cosign). Run by `npm run build` and `prepare`; a
// later `tsc` alone makes the record older than the CLI, and `version` then asks git instead.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const info = { buildDate: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
try {
  const out = execFileSync('git', ['status', '--porcelain=v2', '--branch', '--untracked-files=no'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const oid = /^# branch\.oid ([0-9a-f]{40})$/m.exec(out)?.[1];
  if (oid) {
    info.gitCommit = oid;
    info.gitTreeState = out.split('\n').some((l) => l && !l.startsWith('#')) ? 'dirty' : 'clean';
  }
} catch {
  // not a checkout (a tarball being built elsewhere): commit and tree state stay unknown
}
writeFileSync(new URL('dist/src/build-info.json', root), JSON.stringify(info) + '\n');
