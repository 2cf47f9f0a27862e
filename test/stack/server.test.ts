import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { SignetError } from '../../src/errors.js';
import type { Service } from '../../src/http/index.js';
import { createMetrics } from '../../src/metrics/index.js';
import { buildServer, createStackServices } from '../../src/stack/index.js';
import { tempDir } from '../helpers/process.js';

/** A pino logger whose lines land in `lines` (parsed). */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

/** A service whose one route fails the way a bug would, with a secret in the error's cause. */
const failing: Service = {
  name: 'failing',
  async register(app) {
    app.get('/fail/:id', async () => {
      throw new SignetError('internal', 'index is inconsistent', { cause: new Error('boom') });
    });
  },
  async close() {},
};

describe('the shared server: 5xx logging, metrics, JSON depth, small bodies, host checks, readiness', () => {
  const dataDir = tempDir('signet-server-');
  const { logger, lines } = capturingLogger();
  const metrics = createMetrics();
  let services: Service[];
  let app: FastifyInstance;
  before(async () => {
    const ctx = { dataDir, publicUrl: 'http://stack.test:3000', logger, metrics };
    services = [...(await createStackServices(ctx, { log: { admitThreads: 0 } })), failing];
    app = await buildServer({ services, logger, metrics, dataDir });
    await app.ready();
  });
  after(async () => {
    await app.close();
    for (const s of services.reverse()) await s.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs every 5xx once, with its route pattern and error, and no internal detail on the wire', async () => {
    const r = await app.inject({ url: '/fail/secret-token-123' });
    assert.equal(r.statusCode, 500);
    assert.equal(r.body.includes('inconsistent'), false);
    const logged = lines.filter((l) => l.level === 50);
    assert.equal(logged.length, 1, JSON.stringify(logged));
    assert.equal(logged[0]!.route, '/fail/:id');
    assert.equal(logged[0]!.status, 500);
    assert.match(JSON.stringify(logged[0]!.err), /index is inconsistent/);
    assert.equal(JSON.stringify(lines).includes('secret-token-123'), false, 'the raw URL is never logged');
  });

  it('serves Prometheus metrics: requests by route and status, latency, the log and CA families', async () => {
    await app.inject({ url: '/api/v1/log' });
    const r = await app.inject({ url: '/metrics' });
    assert.equal(r.statusCode, 200);
    assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(r.body, /^signet_http_requests_total\{method="GET",route="\/api\/v1\/log",status="200"\} 1$/m);
    assert.match(r.body, /^signet_http_requests_total\{method="GET",route="\/fail\/:id",status="500"\} 1$/m);
    assert.match(
      r.body,
      /^signet_http_request_duration_seconds_bucket\{le="0\.1",method="GET",route="\/api\/v1\/log"/m,
    );
    for (const name of [
      'signet_log_entries_appended_total',
      'signet_log_batch_size',
      'signet_log_queue_depth',
      'signet_log_tree_size',
      'signet_log_checkpoint_age_seconds',
      'signet_ca_certificates_issued_total',
      'signet_database_errors_total',
      'signet_http_inflight_body_bytes',
      'signet_process_resident_memory_bytes',
    ]) {
      assert.match(r.body, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
  });

  it('answers JSON nested 5,000 deep with 400 JSON on the log, CA, CT and OIDC endpoints', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const cases: Array<[string, (b: Record<string, unknown>) => unknown]> = [
      ['/api/v1/log/entries', (b) => b.message],
      ['/api/v2/signingCert', (b) => b.message],
      ['/api/v1/signingCert', (b) => b.message],
      ['/ct/v1/add-chain', (b) => b.message],
      ['/oidc/token', (b) => b.error_description],
    ];
    for (const [url, message] of cases) {
      const r = await app.inject({
        method: 'POST',
        url,
        payload: deep,
        headers: { 'content-type': 'application/json' },
      });
      assert.equal(r.statusCode, 400, `${url}: ${r.body.slice(0, 200)}`);
      assert.equal(message(r.json()), 'request body nests JSON deeper than 64 levels', url);
    }
  });

  it('gives small bodies to the endpoints that need them: OIDC, CA, CT add-chain, witness', async () => {
    for (const [url, size] of [
      ['/oidc/token', 65 * 1024],
      ['/api/v2/signingCert', 65 * 1024],
      ['/ct/v1/add-chain', 257 * 1024],
      ['/witness/cosign', 65 * 1024],
    ] as const) {
      const payload = JSON.stringify({ pad: 'x'.repeat(size) });
      const r = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
      assert.equal(r.statusCode, 413, `${url}: ${r.body.slice(0, 200)}`);
    }
  });

  it('mints OIDC tokens only for requests addressed to this server, and grants no CORS for them', async () => {
    const form = 'grant_type=urn%3Asignet%3Aparams%3Aoauth%3Agrant-type%3Adev-email&email=a%40example.com';
    const headers = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://attacker.example' };
    const evil = await app.inject({
      method: 'POST',
      url: '/oidc/token',
      payload: form,
      headers: { ...headers, host: 'attacker.example:3000' },
    });
    assert.equal(evil.statusCode, 403, evil.body);
    assert.match(evil.json().error_description, /does not name this server/);
    const own = await app.inject({
      method: 'POST',
      url: '/oidc/token',
      payload: form,
      headers: { ...headers, host: 'stack.test:3000' },
    });
    assert.notEqual(own.statusCode, 403, own.body);
    assert.equal(own.headers['access-control-allow-origin'], undefined);
  });

  it('/readyz is not ready while the data directory cannot be written', async () => {
    assert.equal((await app.inject({ url: '/readyz' })).statusCode, 200);
    const blocked = tempDir('signet-blocked-');
    const file = join(blocked, 'not-a-dir');
    writeFileSync(file, '');
    const other = await buildServer({ services: [], logger: pino({ level: 'silent' }), dataDir: file });
    try {
      const r = await other.inject({ url: '/readyz' });
      assert.equal(r.statusCode, 503);
      assert.deepEqual(r.json(), { status: 'unavailable' });
    } finally {
      await other.close();
      rmSync(blocked, { recursive: true, force: true });
    }
  });
});
