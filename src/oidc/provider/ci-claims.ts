import { createHash, randomInt } from 'node:crypto';
import { OAuthError } from './oauth-error.js';

/** The CI systems whose workload tokens the dev provider imitates; each is its own issuer under the provider. */
export const CI_KINDS = ['github', 'gitlab'] as const;
export type CiKind = (typeof CI_KINDS)[number];

/** Claim values as CI systems send them: strings (ids too), so Fulcio's templates print them unchanged. */
export type CiClaims = Record<string, string> & { sub: string };

type Params = Record<string, string | undefined>;

const SHA1 = /^[0-9a-f]{40}$/;
const ID = /^[0-9]{1,20}$/;
const SLUG = /^[A-Za-z0-9_.-]{1,100}$/;
const EVENT = /^[a-z_]{1,64}$/;
const LABEL = /^[\x20-\x7e]{1,255}$/;

/**
 * GitHub Actions' OIDC claims for a job of `workflow_ref` (`owner/repo/.github/workflows/f.yml@refs/heads/main`),
 * as token.actions.githubusercontent.com sends them; every other claim may be given in `p` by its claim name and
 * is checked, the rest are derived (ids stable per name, `sha` from the ref, a random run id).
 */
export function githubActionsClaims(p: Params): CiClaims {
  const m =
    /^([A-Za-z0-9_.-]{1,100})\/([A-Za-z0-9_.-]{1,100})\/(\.github\/workflows\/[A-Za-z0-9_./-]{1,200}\.ya?ml)@(refs\/[\x21-\x7e]{1,240})$/.exec(
      p.workflow_ref ?? '',
    );
  if (!m) {
    throw new OAuthError(
      'invalid_request',
      'workflow_ref must look like owner/repo/.github/workflows/release.yml@refs/heads/main',
    );
  }
  const [, owner, repo, path, ref] = m as unknown as [string, string, string, string, string];
  const repository = `${owner}/${repo}`;
  const sha = pick(p, 'sha', SHA1, stableSha(`${repository}@${ref}`));
  const environment = pick(p, 'environment', LABEL, '');
  const event = pick(p, 'event_name', EVENT, 'push');
  const jobWorkflowRef = pick(
    p,
    'job_workflow_ref',
    /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[\x21-\x7e]+@[\x21-\x7e]+$/,
    '',
  );
  const refType = ref.startsWith('refs/heads/') ? 'branch' : ref.startsWith('refs/tags/') ? 'tag' : '';
  const sub = environment
    ? `repo:${repository}:environment:${environment}`
    : event === 'pull_request'
      ? `repo:${repository}:pull_request`
      : `repo:${repository}:ref:${ref}`;
  const claims: CiClaims = {
    sub,
    ref,
    ref_type: refType,
    ref_protected: 'false',
    sha,
    repository,
    repository_id: pick(p, 'repository_id', ID, stableId(repository)),
    repository_owner: owner,
    repository_owner_id: pick(p, 'repository_owner_id', ID, stableId(owner)),
    repository_visibility: pick(p, 'repository_visibility', /^(public|private|internal)$/, 'public'),
    actor: pick(p, 'actor', SLUG, owner),
    actor_id: pick(p, 'actor_id', ID, stableId(owner)),
    run_id: pick(p, 'run_id', ID, String(randomInt(1_000_000_000, 9_999_999_999))),
    run_number: pick(p, 'run_number', ID, '1'),
    run_attempt: pick(p, 'run_attempt', ID, '1'),
    workflow: pick(p, 'workflow', LABEL, path.replace(/^.*\//, '').replace(/\.ya?ml$/, '')),
    workflow_ref: `${repository}/${path}@${ref}`,
    workflow_sha: sha,
    job_workflow_ref: jobWorkflowRef || `${repository}/${path}@${ref}`,
    job_workflow_sha: pick(p, 'job_workflow_sha', SHA1, sha),
    event_name: event,
    head_ref: '',
    base_ref: '',
    runner_environment: pick(p, 'runner_environment', /^(github-hosted|self-hosted)$/, 'github-hosted'),
  };
  if (environment) claims.environment = environment;
  return claims;
}

/**
 * GitLab CI's ID-token claims for a job of project `project_path` (`group/sub/project`), as gitlab.com sends them.
 * `ref` (default `main`) and `ref_type` (`branch` or `tag`) name what the pipeline runs on.
 */
export function gitlabCiClaims(p: Params): CiClaims {
  const projectPath = p.project_path ?? '';
  if (!/^[A-Za-z0-9_.-]{1,100}(\/[A-Za-z0-9_.-]{1,100}){1,10}$/.test(projectPath)) {
    throw new OAuthError('invalid_request', 'project_path must look like group/project');
  }
  const namespace = projectPath.slice(0, projectPath.lastIndexOf('/'));
  const ref = pick(p, 'ref', /^[\x21-\x7e]{1,240}$/, 'main');
  const refType = pick(p, 'ref_type', /^(branch|tag)$/, 'branch');
  const refPath = `refs/${refType === 'branch' ? 'heads' : 'tags'}/${ref}`;
  const sha = pick(p, 'sha', SHA1, stableSha(`${projectPath}@${refPath}`));
  const environment = pick(p, 'environment', LABEL, '');
  const claims: CiClaims = {
    sub: `project_path:${projectPath}:ref_type:${refType}:ref:${ref}`,
    namespace_id: pick(p, 'namespace_id', ID, stableId(namespace)),
    namespace_path: namespace,
    project_id: pick(p, 'project_id', ID, stableId(projectPath)),
    project_path: projectPath,
    user_id: pick(p, 'user_id', ID, stableId(namespace)),
    user_login: pick(p, 'user_login', SLUG, namespace.split('/')[0]!),
    pipeline_id: pick(p, 'pipeline_id', ID, String(randomInt(1_000_000_000, 9_999_999_999))),
    pipeline_source: pick(p, 'pipeline_source', EVENT, 'push'),
    job_id: pick(p, 'job_id', ID, String(randomInt(1_000_000_000, 9_999_999_999))),
    ref,
    ref_type: refType,
    ref_path: refPath,
    ref_protected: 'true',
    runner_id: pick(p, 'runner_id', ID, '1'),
    runner_environment: pick(p, 'runner_environment', /^(gitlab-hosted|self-hosted)$/, 'gitlab-hosted'),
    sha,
    project_visibility: pick(p, 'project_visibility', /^(public|private|internal)$/, 'public'),
    ci_config_ref_uri: pick(
      p,
      'ci_config_ref_uri',
      /^[A-Za-z0-9.-]+(:[0-9]+)?\/[\x21-\x7e]+\/\/[\x21-\x7e]+@refs\/[\x21-\x7e]+$/,
      `gitlab.com/${projectPath}//.gitlab-ci.yml@${refPath}`,
    ),
    ci_config_sha: pick(p, 'ci_config_sha', SHA1, sha),
  };
  if (environment) claims.environment = environment;
  return claims;
}

/** The claims a request may set, per CI system; anything else is refused rather than silently dropped. */
const SETTABLE: Record<CiKind, string[]> = {
  github: [
    'workflow_ref',
    'sha',
    'environment',
    'event_name',
    'job_workflow_ref',
    'repository_id',
    'repository_owner_id',
    'repository_visibility',
    'actor',
    'actor_id',
    'run_id',
    'run_number',
    'run_attempt',
    'workflow',
    'job_workflow_sha',
    'runner_environment',
  ],
  gitlab: [
    'project_path',
    'ref',
    'ref_type',
    'sha',
    'environment',
    'namespace_id',
    'project_id',
    'user_id',
    'user_login',
    'pipeline_id',
    'pipeline_source',
    'job_id',
    'runner_id',
    'runner_environment',
    'project_visibility',
    'ci_config_ref_uri',
    'ci_config_sha',
  ],
};

/** The `kind` claims for request parameters `p` (grant_type and client_id aside, only settable claim names). */
export function ciClaims(kind: CiKind, p: Params): CiClaims {
  for (const name of Object.keys(p)) {
    if (name !== 'grant_type' && name !== 'client_id' && !SETTABLE[kind].includes(name)) {
      throw new OAuthError(
        'invalid_request',
        `${name.slice(0, 80)} is not a ${kind} claim this provider sets (it sets ${SETTABLE[kind].join(', ')})`,
      );
    }
  }
  return kind === 'github' ? githubActionsClaims(p) : gitlabCiClaims(p);
}

function pick(p: Params, name: string, pattern: RegExp, fallback: string): string {
  const v = p[name];
  if (v === undefined || v === '') return fallback;
  if (!pattern.test(v))
    throw new OAuthError('invalid_request', `${name} is not valid: ${JSON.stringify(v.slice(0, 80))}`);
  return v;
}

/** A 40-hex "commit" derived from a name, so a token minted twice for the same ref names the same commit. */
function stableSha(name: string): string {
  return createHash('sha1').update(name).digest('hex');
}

/** A numeric id derived from a name (GitHub and GitLab ids are numbers), stable across runs. */
function stableId(name: string): string {
  return String((createHash('sha256').update(name).digest().readUInt32BE(0) % 900_000_000) + 100_000_000);
}
