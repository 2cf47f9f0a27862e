import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reportError } from '../../src/cli/exit.js';
import { isSignetError } from '../../src/errors.js';
import { parseDatabaseUrl } from '../../src/log/index.js';
import { parseWitnessKey } from '../../src/monitor/index.js';
import { getIdentityToken } from '../../src/oidc/index.js';

/** What reportError prints for `e`, and its exit code. */
function report(e: unknown): { lines: string[]; code: number } {
  const lines: string[] = [];
  const original = console.error;
  console.error = (line: string) => lines.push(line);
  try {
    return { code: reportError(e), lines };
  } finally {
    console.error = original;
  }
}

test('library errors name the option, not a flag; the CLI adds the flag as a hint', () => {
  let error: unknown;
  try {
    parseDatabaseUrl('not a url');
  } catch (e) {
    error = e;
  }
  assert.ok(isSignetError(error, 'invalid-input'));
  assert.equal(error.detail.option, 'databaseUrl');
  assert.doesNotMatch(error.message, /--/);
  assert.deepEqual(report(error), {
    code: 1,
    lines: [
      'signet: error: the database URL is not a URL (expected postgres://user@host:port/database)',
      'signet: hint: check --database-url',
    ],
  });
  assert.throws(
    () => parseWitnessKey('nope'),
    (e) => isSignetError(e, 'invalid-input') && e.detail.option === 'witness' && !e.message.includes('--'),
  );
});

test('a missing identity token names the option; the CLI says which flags and variables give one', async () => {
  const error = await getIdentityToken({ env: {} }).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(isSignetError(error, 'invalid-input'));
  assert.equal(error.detail.option, 'identityToken');
  assert.doesNotMatch(error.message, /--/);
  const { lines } = report(error);
  assert.match(lines[1]!, /^signet: hint: pass --identity-token or set SIGSTORE_ID_TOKEN/);
});
