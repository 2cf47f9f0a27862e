import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';

/**
 * Warns (stderr) when `file` sits in a git work tree and no ignore rule covers it, since `git add .` would then
 * commit a private key. Silent outside git, when git is missing, or when the file is ignored.
 */
export function warnIfGitWouldAdd(file: string, what: string): void {
  const path = resolve(file);
  const r = spawnSync('git', ['check-ignore', '-q', '--', path], { cwd: dirname(path), stdio: 'ignore' });
  // 0: ignored; 1: in a work tree and not ignored; 128 or an error: not a work tree or no git.
  if (r.status !== 1) return;
  process.stderr.write(
    `signet: warning: ${file} (${what}) is inside a git work tree and not ignored: \`git add .\` would commit it\n` +
      `signet: hint: add it to .gitignore, or keep keys outside the repository\n`,
  );
}
