import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { databaseUrlOf } from '../../src/cli/log-serve.js';
import { tempDir } from '../helpers/process.js';

test('the database URL comes from the flag/env or a file, never both; an empty or missing file is an error', () => {
  const dir = tempDir('signet-dburl-');
  try {
    const file = join(dir, 'url');
    writeFileSync(file, 'postgres://u:secret@h/db?schema=s\n', { mode: 0o600 });
    assert.equal(databaseUrlOf({ databaseUrlFile: file }), 'postgres://u:secret@h/db?schema=s');
    assert.equal(databaseUrlOf({ databaseUrl: 'postgres://u@h/db' }), 'postgres://u@h/db');
    assert.equal(databaseUrlOf({}), undefined);
    assert.throws(() => databaseUrlOf({ databaseUrl: 'postgres://u@h/db', databaseUrlFile: file }), /not both/);
    assert.throws(() => databaseUrlOf({ databaseUrlFile: join(dir, 'missing') }), /cannot read/);
    writeFileSync(join(dir, 'empty'), ' \n');
    assert.throws(() => databaseUrlOf({ databaseUrlFile: join(dir, 'empty') }), /empty/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
