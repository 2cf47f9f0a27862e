import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign as signRaw } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  unlinkSync,
  writeSync,
  openSync,
  closeSync,
} from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { requireOrSkip } from '../helpers/env.js';
import { runSignet, runSignetAsync, startSignet, tempDir, type RunningStack } from '../helpers/process.js';

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function serve(args: string[], dataDir?: string, readyPath?: string): Promise<RunningStack> {
  const s = await startSignet(args, { dataDir, readyPath, env: { SIGNET_LOG_LEVEL: 'warn' } });
  cleanups.push(() => s.stop('SIGKILL'));
  return s;
}

/** Peak resident set of a process (Linux: VmHWM in /proc/<pid>/status), in MiB. */
function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) / 1024;
}

/** One POST with a Content-Length, read to the end (fetch would not let a 503 arrive before the upload ends). */
function post(url: string, body: Buffer): Promise<{ status: number; retryAfter?: string; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () =>
        resolve({ status: res.statusCode!, retryAfter: res.headers['retry-after'] as string | undefined, text }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('memory under many concurrent large bodies', () => {
  it('16 concurrent 30 MiB posts: one in-flight body budget keeps the server small; the rest get 503 + Retry-After', async (t) => {
    if (!requireOrSkip(t, existsSync('/proc/self/status'), '/proc (Linux)')) return;
    const s = await serve(['log', 'serve']);
    // A rekord whose content is 30 MiB of base64: parsed and decoded in full before its signature fails.
    const content = Buffer.alloc(30 * 1024 * 1024 - 1024, 'A').toString();
    const body = Buffer.from(
      JSON.stringify({
        kind: 'rekord',
        apiVersion: '0.0.1',
        spec: {
          signature: { format: 'x509', content: 'AAAA', publicKey: { content: 'AAAA' } },
          data: { content },
        },
      }),
    );
    const before = peakRssMiB(s.child.pid!);
    const results = await Promise.all(Array.from({ length: 16 }, () => post(`${s.url}/api/v1/log/entries`, body)));
    const peak = peakRssMiB(s.child.pid!);
    const statuses = results.map((r) => r.status);
    const busy = results.filter((r) => r.status === 503);
    assert.ok(busy.length > 0, `some requests were turned away: ${statuses.join(',')}`);
    for (const r of busy) {
      assert.ok(Number(r.retryAfter) > 0, 'a 503 carries Retry-After');
      assert.match(JSON.parse(r.text).message, /busy/);
    }
    assert.ok(
      statuses.some((x) => x === 400),
      `some bodies were read and refused on their merits: ${statuses}`,
    );
    assert.ok(
      statuses.every((x) => x === 400 || x === 503),
      statuses.join(','),
    );
    // Without the budget this grew to ~1.4 GB; two 30 MiB bodies at a time and their parsed copies fit in 600 MiB.
    t.diagnostic(`peak RSS ${before.toFixed(0)} MiB before, ${peak.toFixed(0)} MiB after 16 x 30 MiB`);
    assert.ok(peak < 600, `peak RSS ${peak.toFixed(0)} MiB`);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, /^signet_http_body_budget_rejections_total [1-9]/m);
  });
});

describe('ca serve --dev-oidc beyond loopback', () => {
  it('refuses before creating any key', () => {
    const dataDir = tempDir('signet-ca-exposed-');
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const r = runSignet(['ca', 'serve', '--dev-oidc', '--host', '0.0.0.0', '--port', '0', '--data-dir', dataDir]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /signet: error: refusing to serve the dev identity provider on 0\.0\.0\.0/);
    assert.deepEqual(readdirSync(dataDir), [], 'no key or database was written');
  });
});

describe('disk full in the CA and the CT log', () => {
  it('signingCert and add-chain answer 503 + Retry-After and /readyz is not ready until space returns', async (t) => {
    const dir = tempDir('signet-full-ca-');
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]).status === 0;
    if (!requireOrSkip(t, mounted, 'mounting a tmpfs (root)')) return;
    cleanups.push(() => void execFileSync('umount', ['-l', mnt]));
    const s = await serve(['up'], mnt, '/trusted_root.json');
    const token = await devToken(s.url, 'carol@example.com');
    const first = await signingCert(s.url, token);
    assert.equal(first.status, 200, first.text);
    const chain = (JSON.parse(first.text) as { signedCertificateEmbeddedSct: { chain: { certificates: string[] } } })
      .signedCertificateEmbeddedSct.chain.certificates;
    assert.equal((await fetch(`${s.url}/readyz`)).status, 200);

    const filler = join(mnt, 'filler');
    fillDisk(filler);
    const ready = await fetch(`${s.url}/readyz`);
    assert.equal(ready.status, 503);
    const full = await signingCert(s.url, token);
    assert.equal(full.status, 503, full.text);
    assert.equal(JSON.parse(full.text).code, 14, 'gRPC Unavailable');
    assert.ok(Number(full.retryAfter) > 0);
    const ct = await fetch(`${s.url}/ct/v1/add-chain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chain: chain.map(pemToBase64) }),
    });
    assert.equal(ct.status, 503, await ct.clone().text());
    assert.ok(Number(ct.headers.get('retry-after')) > 0);
    assert.match(((await ct.json()) as { message: string }).message, /full/);

    unlinkSync(filler);
    assert.equal((await fetch(`${s.url}/readyz`)).status, 200);
    assert.equal((await signingCert(s.url, token)).status, 200);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, /^signet_database_errors_total\{service="ct"\} [1-9]/m);
    assert.match(metrics, /^signet_ca_certificates_issued_total\{sct="embedded"\} 2$/m);
  });
});

async function devToken(url: string, email: string): Promise<string> {
  const r = await runSignetAsync(['oidc', 'token', '--email', email, '--issuer', `${url}/oidc`]);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

async function signingCert(url: string, token: string) {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const res = await fetch(`${url}/api/v2/signingCert`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      credentials: { oidcIdentityToken: token },
      publicKeyRequest: {
        publicKey: { algorithm: 'ECDSA', content: publicKey.export({ format: 'pem', type: 'spki' }) },
        proofOfPossession: signRaw('sha256', Buffer.from(JSON.parse(jwtPayload(token)).sub), privateKey).toString(
          'base64',
        ),
      },
    }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after') ?? undefined, text: await res.text() };
}

const jwtPayload = (jwt: string) => Buffer.from(jwt.split('.')[1]!, 'base64url').toString();
const pemToBase64 = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');

/** Writes to `path` until the file system says ENOSPC. */
function fillDisk(path: string): void {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}
