import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isSignetError, type ErrorCode } from '../../../src/errors.js';
import { repoRoot } from '../../helpers/env.js';

/** Helpers shared by the entry-type tests: run a real tool, read a Rekor fixture, expect a SignetError. */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; input?: string | Buffer; env?: NodeJS.ProcessEnv } = {},
) {
  return execFileSync(cmd, args, {
    cwd: opts.cwd,
    input: opts.input,
    env: opts.env ?? process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export const fixture = (...parts: string[]) => readFileSync(join(repoRoot, 'test', 'fixtures', 'rekor', ...parts));

export const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64');

export async function rejects(p: Promise<unknown>, code: ErrorCode, pattern?: RegExp): Promise<string> {
  try {
    await p;
  } catch (e) {
    assert.ok(isSignetError(e), `expected a SignetError, got ${String(e)}`);
    assert.equal(e.code, code, `code for: ${e.message}`);
    assert.ok(!e.message.includes('\n'), 'messages are one line');
    if (pattern) assert.match(e.message, pattern);
    return e.message;
  }
  assert.fail(`expected rejection with ${code}`);
}
