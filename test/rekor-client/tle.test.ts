import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from '../../src/bundle/types.js';
import { fromTransparencyLogEntry, toTransparencyLogEntry } from '../../src/rekor-client/index.js';
import { conformanceDir } from '../helpers/env.js';

const corpus = join(conformanceDir, 'bundle-verify');

test("Rekor's LogEntry and a bundle's TransparencyLogEntry convert both ways (real bundles)", () => {
  let checked = 0;
  for (const name of readdirSync(corpus)) {
    const path = join(corpus, name, 'bundle.sigstore.json');
    if (!existsSync(path) || name.endsWith('_fail')) continue; // broken on purpose
    let bundle: Bundle;
    try {
      bundle = JSON.parse(readFileSync(path, 'utf8')) as Bundle;
    } catch {
      continue;
    }
    for (const tle of bundle.verificationMaterial?.tlogEntries ?? []) {
      if (!tle.integratedTime || tle.integratedTime === '0') continue; // Rekor v2 entries have no v1 form
      const { uuid, entry } = fromTransparencyLogEntry(tle);
      const leaf = createHash('sha256')
        .update(Buffer.from([0]))
        .update(Buffer.from(tle.canonicalizedBody, 'base64'))
        .digest('hex');
      assert.equal(uuid, leaf, name);
      assert.match(entry.logID, /^[0-9a-f]{64}$/);
      assert.equal(entry.logIndex, Number(tle.logIndex));
      const back = toTransparencyLogEntry(uuid, entry);
      const expected = { ...tle };
      if (expected.inclusionProof && !expected.inclusionProof.checkpoint) {
        expected.inclusionProof = { ...expected.inclusionProof };
        delete expected.inclusionProof.checkpoint;
      }
      assert.deepEqual(back, expected, name);
      checked++;
    }
  }
  assert.ok(checked >= 8, `checked ${checked} entries`);
});

test('kindVersion comes from the body', () => {
  const body = Buffer.from('{"apiVersion":"0.0.2","kind":"intoto","spec":{}}').toString('base64');
  const tle = toTransparencyLogEntry('ab'.repeat(32), { body, integratedTime: 1, logID: 'cd'.repeat(32), logIndex: 3 });
  assert.deepEqual(tle, {
    logIndex: '3',
    logId: { keyId: Buffer.from('cd'.repeat(32), 'hex').toString('base64') },
    kindVersion: { kind: 'intoto', version: '0.0.2' },
    integratedTime: '1',
    canonicalizedBody: body,
  });
  assert.throws(
    () => toTransparencyLogEntry('x', { body: 'bm90IGpzb24=', integratedTime: 1, logID: '', logIndex: 0 }),
    /not JSON/,
  );
});
