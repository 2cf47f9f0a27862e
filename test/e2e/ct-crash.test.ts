import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { after, test } from 'node:test';
import { extensionValue, OID_CT_SCT_LIST, parseSctList, readDer } from '../../src/encoding/index.js';
import { merkleTreeLeaf, precertEntryFromFinal } from '../../src/ct/index.js';
import { startSignet, tempDir, type RunningStack } from '../helpers/process.js';
import { devSigningCertBody } from '../helpers/signing-cert.js';

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

function kill(s: RunningStack): Promise<void> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
    s.child.once('exit', () => resolve());
    s.child.kill('SIGKILL');
  });
}

async function up(dataDir: string, port?: number): Promise<RunningStack> {
  const s = await startSignet(['up'], {
    dataDir,
    port,
    env: { SIGNET_LOG_LEVEL: 'warn' },
    readyPath: '/api/v2/configuration',
  });
  cleanups.push(() => kill(s));
  return s;
}

const der = (pem: string) => Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');

test('kill -9 of signet up while it issues: every certificate it answered has its CT entry after the restart', async () => {
  const dataDir = tempDir('signet-ct-crash-');
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const a = await up(dataDir);
  const body = await devSigningCertBody(a.url, 'crash@example.com');
  const answered: string[][] = [];
  let cut = 0;
  // 16 clients until the process is gone; kill -9 once 60 certificates came back (others are mid-commit).
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      for (;;) {
        try {
          const r = await fetch(`${a.url}/api/v2/signingCert`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
          });
          const json = (await r.json()) as { signedCertificateEmbeddedSct: { chain: { certificates: string[] } } };
          assert.equal(r.status, 200, JSON.stringify(json));
          answered.push(json.signedCertificateEmbeddedSct.chain.certificates);
          if (answered.length === 60) a.child.kill('SIGKILL');
        } catch (e) {
          if (e instanceof assert.AssertionError) throw e;
          cut++;
          return;
        }
      }
    }),
  );
  await kill(a);
  assert.ok(answered.length >= 60, `${answered.length} answered`);
  assert.ok(cut > 0, 'requests were cut off by the crash');

  const b = await up(dataDir, a.port);
  const sth = (await (await fetch(`${b.url}/ct/v1/get-sth`)).json()) as { tree_size: number };
  assert.ok(sth.tree_size >= answered.length, `tree size ${sth.tree_size} < ${answered.length} certificates answered`);
  for (const [leafPem, intermediatePem] of answered) {
    const leaf = der(leafPem!);
    const list = readDer(extensionValue(leaf, OID_CT_SCT_LIST)!);
    const [sct] = parseSctList(list.buf.subarray(list.valueStart, list.end));
    const leafInput = merkleTreeLeaf(
      sct!.timestamp,
      precertEntryFromFinal(leaf, der(intermediatePem!)),
      Buffer.alloc(0),
    );
    const hash = createHash('sha256')
      .update(Buffer.from([0]))
      .update(leafInput)
      .digest('base64');
    const res = await fetch(
      `${b.url}/ct/v1/get-proof-by-hash?hash=${encodeURIComponent(hash)}&tree_size=${sth.tree_size}`,
    );
    assert.equal(res.status, 200, `the entry of an answered certificate is missing: ${await res.text()}`);
  }
});
