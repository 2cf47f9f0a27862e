import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { createLocalJWKSet, jwtVerify } from 'jose';
import pino from 'pino';
import {
  createDevOidcProvider,
  DEV_CI_GRANT,
  githubActionsClaims,
  gitlabCiClaims,
} from '../../../src/oidc/provider/index.js';
import { tempDir } from '../../helpers/process.js';

const publicUrl = 'http://localhost:3000';
const WORKFLOW = 'octo/app/.github/workflows/release.yml@refs/heads/main';
const SHA = '0123456789abcdef0123456789abcdef01234567';

async function setup(t: { after(fn: () => unknown): void }) {
  const dataDir = tempDir();
  const provider = await createDevOidcProvider({ dataDir, publicUrl, logger: pino({ level: 'silent' }) });
  const app = Fastify();
  await provider.register(app);
  await app.ready();
  t.after(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  return app;
}

const form = (app: FastifyInstance, url: string, body: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams(body).toString(),
  });

async function verify(app: FastifyInstance, kind: string, token: string, audience = 'sigstore') {
  const d = (await app.inject(`/oidc/${kind}/.well-known/openid-configuration`)).json();
  assert.equal(d.issuer, `${publicUrl}/oidc/${kind}`);
  const jwks = (await app.inject(new URL(d.jwks_uri).pathname)).json();
  return jwtVerify(token, createLocalJWKSet(jwks), {
    issuer: d.issuer,
    audience,
    algorithms: d.id_token_signing_alg_values_supported,
  });
}

test('GitHub Actions claims: the shape token.actions.githubusercontent.com sends, derived from workflow_ref', () => {
  const c = githubActionsClaims({ workflow_ref: WORKFLOW, sha: SHA, run_id: '42' });
  assert.equal(c.sub, 'repo:octo/app:ref:refs/heads/main');
  assert.equal(c.repository, 'octo/app');
  assert.equal(c.repository_owner, 'octo');
  assert.equal(c.ref, 'refs/heads/main');
  assert.equal(c.ref_type, 'branch');
  assert.equal(c.workflow_ref, WORKFLOW);
  assert.equal(c.job_workflow_ref, WORKFLOW);
  assert.equal(c.workflow, 'release');
  assert.equal(c.sha, SHA);
  assert.equal(c.job_workflow_sha, SHA);
  assert.equal(c.event_name, 'push');
  assert.equal(c.runner_environment, 'github-hosted');
  assert.equal(c.run_id, '42');
  assert.match(c.repository_id!, /^[0-9]+$/);
  assert.equal(c.repository_id, githubActionsClaims({ workflow_ref: WORKFLOW }).repository_id, 'ids are stable');
  assert.equal(c.environment, undefined);
  const env = githubActionsClaims({ workflow_ref: WORKFLOW, environment: 'prod' });
  assert.equal(env.sub, 'repo:octo/app:environment:prod');
  const pr = githubActionsClaims({ workflow_ref: WORKFLOW, event_name: 'pull_request' });
  assert.equal(pr.sub, 'repo:octo/app:pull_request');
  assert.equal(githubActionsClaims({ workflow_ref: 'o/r/.github/workflows/x.yaml@refs/tags/v1' }).ref_type, 'tag');
});

test('GitLab CI claims: sub, ref_path and ci_config_ref_uri as gitlab.com sends them', () => {
  const c = gitlabCiClaims({ project_path: 'grp/sub/app', ref: 'v1', ref_type: 'tag', sha: SHA });
  assert.equal(c.sub, 'project_path:grp/sub/app:ref_type:tag:ref:v1');
  assert.equal(c.namespace_path, 'grp/sub');
  assert.equal(c.ref_path, 'refs/tags/v1');
  assert.equal(c.ci_config_ref_uri, 'gitlab.com/grp/sub/app//.gitlab-ci.yml@refs/tags/v1');
  assert.equal(c.ci_config_sha, SHA);
  assert.equal(c.pipeline_source, 'push');
  assert.equal(c.runner_environment, 'gitlab-hosted');
});

test('bad CI claim values are refused with the claim named', () => {
  const cases: Array<[() => unknown, RegExp]> = [
    [() => githubActionsClaims({}), /workflow_ref must look like/],
    [() => githubActionsClaims({ workflow_ref: 'octo/app@refs/heads/main' }), /workflow_ref/],
    [() => githubActionsClaims({ workflow_ref: 'o/r/.github/workflows/a.yml@main' }), /workflow_ref/],
    [() => githubActionsClaims({ workflow_ref: WORKFLOW, sha: 'xyz' }), /sha is not valid/],
    [() => githubActionsClaims({ workflow_ref: WORKFLOW, repository_id: '12a' }), /repository_id/],
    [() => githubActionsClaims({ workflow_ref: WORKFLOW, runner_environment: 'laptop' }), /runner_environment/],
    [() => githubActionsClaims({ workflow_ref: WORKFLOW, workflow: 'a\nb' }), /workflow is not valid/],
    [() => gitlabCiClaims({ project_path: 'justone' }), /project_path/],
    [() => gitlabCiClaims({ project_path: 'g/p', ref_type: 'commit' }), /ref_type/],
  ];
  for (const [fn, message] of cases) assert.throws(fn, message);
});

test('each CI issuer has its own discovery (same key, same algorithm) and grants workload tokens', async (t) => {
  const app = await setup(t);
  for (const kind of ['github', 'gitlab']) {
    const d = (await app.inject(`/oidc/${kind}/.well-known/openid-configuration`)).json();
    assert.deepEqual(d.id_token_signing_alg_values_supported, ['RS256']);
    assert.deepEqual(d.grant_types_supported, [DEV_CI_GRANT]);
    assert.ok(d.claims_supported.includes('sub'));
  }
  const gh = await form(app, '/oidc/github/token', { grant_type: DEV_CI_GRANT, workflow_ref: WORKFLOW, sha: SHA });
  assert.equal(gh.statusCode, 200, gh.body);
  const { payload } = await verify(app, 'github', gh.json().id_token);
  assert.equal(payload.job_workflow_ref, WORKFLOW);
  assert.equal(payload.sha, SHA);
  const gl = await form(app, '/oidc/gitlab/token', { grant_type: DEV_CI_GRANT, project_path: 'grp/app' });
  assert.equal(gl.statusCode, 200, gl.body);
  assert.equal((await verify(app, 'gitlab', gl.json().id_token)).payload.project_path, 'grp/app');
});

test('CI token requests with bad input get OAuth 4xx JSON, never a 500', async (t) => {
  const app = await setup(t);
  const bad: Array<[string, Record<string, string>, string]> = [
    ['/oidc/github/token', { grant_type: DEV_CI_GRANT }, 'invalid_request'],
    ['/oidc/github/token', { grant_type: DEV_CI_GRANT, workflow_ref: WORKFLOW, color: 'red' }, 'invalid_request'],
    ['/oidc/github/token', { grant_type: 'password', workflow_ref: WORKFLOW }, 'unsupported_grant_type'],
    ['/oidc/github/token', { grant_type: DEV_CI_GRANT, workflow_ref: WORKFLOW, client_id: 'x' }, 'invalid_client'],
    ['/oidc/gitlab/token', { grant_type: DEV_CI_GRANT, workflow_ref: WORKFLOW }, 'invalid_request'],
    ['/oidc/github/actions_request', { workflow_ref: '../../etc' }, 'invalid_request'],
  ];
  for (const [url, body, error] of bad) {
    const r = await form(app, url, body);
    assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${url} ${JSON.stringify(body)}: ${r.statusCode}`);
    assert.equal(r.json().error, error, r.body);
  }
  assert.equal((await app.inject({ method: 'POST', url: '/oidc/gitlab/actions_request' })).statusCode, 404);
  const notForm = await app.inject({ method: 'POST', url: '/oidc/github/token', payload: { a: 1 } });
  assert.equal(notForm.statusCode, 400);
});

test('Actions ambient endpoint: a request token fetches ID tokens for the asked audience, and nothing else does', async (t) => {
  const app = await setup(t);
  const reg = await form(app, '/oidc/github/actions_request', { workflow_ref: WORKFLOW, sha: SHA });
  assert.equal(reg.statusCode, 200, reg.body);
  const { url, token } = reg.json();
  assert.equal(url, `${publicUrl}/oidc/github/actions_token?api-version=2.0`);
  const path = new URL(url).pathname + new URL(url).search;
  const get = (q: string, auth?: string) =>
    app.inject({ url: `${path}${q}`, headers: auth === undefined ? {} : { authorization: auth } });
  const ok = await get('&audience=sigstore', `bearer ${token}`);
  assert.equal(ok.statusCode, 200, ok.body);
  const { payload } = await verify(app, 'github', ok.json().value);
  assert.equal(payload.workflow_ref, WORKFLOW);
  const other = await get('', `Bearer ${token}`);
  await verify(app, 'github', other.json().value, 'https://github.com/octo');
  for (const auth of [undefined, 'bearer nope', `basic ${token}`, 'bearer']) {
    const r = await get('&audience=sigstore', auth);
    assert.equal(r.statusCode, 401, String(auth));
    assert.equal(r.json().error, 'invalid_client');
  }
  const badAudience = await get(`&audience=${encodeURIComponent('a b')}`, `bearer ${token}`);
  assert.equal(badAudience.statusCode, 400);
});
