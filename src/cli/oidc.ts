import type { Command } from 'commander';
import { SignetError, invalidInput } from '../errors.js';
import type { CiKind } from '../oidc/index.js';
import { summary } from './commands.js';

/** Loaded by the command that runs, so `signet --help` does not load it. */
const oidcProvider = () => import('../oidc/index.js');

const DEFAULT_ISSUER = 'http://localhost:3000/oidc';

interface TokenFlags {
  email?: string;
  githubWorkflow?: string;
  gitlabProjectPath?: string;
  issuer: string;
  actionsEnv?: boolean;
  claim: string[];
  [flag: string]: unknown;
}

/** Flags that set one CI claim each: flag name (camelCase, as commander stores it) -> claim per CI system. */
const CLAIM_FLAGS: Array<{ flag: string; option: string; help: string; github?: string; gitlab?: string }> = [
  { flag: 'sha', option: '--sha <hex>', help: 'commit SHA (40 hex)', github: 'sha', gitlab: 'sha' },
  {
    flag: 'event',
    option: '--event <name>',
    help: 'what started the run (GitHub event_name, GitLab pipeline_source; default push)',
    github: 'event_name',
    gitlab: 'pipeline_source',
  },
  { flag: 'ref', option: '--ref <name>', help: 'GitLab: branch or tag name (default main)', gitlab: 'ref' },
  { flag: 'refType', option: '--ref-type <branch|tag>', help: 'GitLab: what --ref names', gitlab: 'ref_type' },
  { flag: 'repositoryId', option: '--repository-id <n>', help: 'GitHub repository_id', github: 'repository_id' },
  {
    flag: 'repositoryOwnerId',
    option: '--repository-owner-id <n>',
    help: 'GitHub repository_owner_id',
    github: 'repository_owner_id',
  },
  { flag: 'runId', option: '--run-id <n>', help: 'GitHub run_id', github: 'run_id' },
  { flag: 'runAttempt', option: '--run-attempt <n>', help: 'GitHub run_attempt (default 1)', github: 'run_attempt' },
  { flag: 'workflowName', option: '--workflow-name <name>', help: 'GitHub workflow (its name:)', github: 'workflow' },
  {
    flag: 'jobWorkflowRef',
    option: '--job-workflow-ref <ref>',
    help: 'GitHub job_workflow_ref, for a reusable workflow',
    github: 'job_workflow_ref',
  },
  { flag: 'projectId', option: '--project-id <n>', help: 'GitLab project_id', gitlab: 'project_id' },
  { flag: 'namespaceId', option: '--namespace-id <n>', help: 'GitLab namespace_id', gitlab: 'namespace_id' },
  { flag: 'jobId', option: '--job-id <n>', help: 'GitLab job_id', gitlab: 'job_id' },
  { flag: 'pipelineId', option: '--pipeline-id <n>', help: 'GitLab pipeline_id', gitlab: 'pipeline_id' },
  {
    flag: 'environment',
    option: '--environment <name>',
    help: 'deployment environment',
    github: 'environment',
    gitlab: 'environment',
  },
  {
    flag: 'runnerEnvironment',
    option: '--runner-environment <kind>',
    help: 'github-hosted|self-hosted (GitLab: gitlab-hosted|self-hosted)',
    github: 'runner_environment',
    gitlab: 'runner_environment',
  },
  {
    flag: 'visibility',
    option: '--visibility <v>',
    help: 'public|private|internal',
    github: 'repository_visibility',
    gitlab: 'project_visibility',
  },
];

const collect = (value: string, previous: string[]) => [...previous, value];

export function registerOidc(program: Command): void {
  const oidc = program.command('oidc').description(summary('oidc'));
  const token = oidc
    .command('token')
    .description('print an ID token (audience sigstore) for an email or a CI job, from a running dev provider')
    .option('--email <address>', 'the email identity to sign as')
    .option('--github-workflow <ref>', 'a GitHub Actions job: owner/repo/.github/workflows/FILE.yml@refs/heads/main')
    .option('--gitlab-project-path <path>', 'a GitLab CI job of project group/project')
    .option('--issuer <url>', 'the dev provider issuer URL', DEFAULT_ISSUER)
    .option('--actions-env', 'with --github-workflow: print ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN exports instead');
  for (const f of CLAIM_FLAGS) token.option(f.option, f.help);
  token
    .option(
      '--claim <name=value>',
      'set another claim the provider knows, e.g. actor=octocat, ci_config_sha=... (repeatable)',
      collect,
      [],
    )
    .addHelpText(
      'after',
      `
Examples:
  signet oidc token --email alice@example.com --issuer http://127.0.0.1:3000/oidc
  signet oidc token --issuer http://127.0.0.1:3000/oidc \\
    --github-workflow octo/app/.github/workflows/release.yml@refs/heads/main --sha $(git rev-parse HEAD)
  eval "$(signet oidc token --actions-env --github-workflow octo/app/.github/workflows/release.yml@refs/heads/main)"
  signet oidc token --gitlab-project-path group/app --ref main --issuer http://127.0.0.1:3000/oidc

CI tokens come from <issuer>/github and <issuer>/gitlab, which the CA of \`signet up\` treats like GitHub Actions
and GitLab CI: certificates carry the same extensions (verify with --certificate-github-workflow-* flags).`,
    )
    .action(async (opts: TokenFlags) => {
      checkIssuer(opts.issuer);
      const kinds = [opts.email, opts.githubWorkflow, opts.gitlabProjectPath].filter((v) => v !== undefined);
      if (kinds.length !== 1) {
        throw new SignetError('invalid-input', 'give exactly one of --email, --github-workflow, --gitlab-project-path');
      }
      if (opts.actionsEnv && opts.githubWorkflow === undefined) {
        throw invalidInput('--actions-env goes with --github-workflow');
      }
      if (opts.email !== undefined) {
        if (!/^[^@\s]+@[^@\s]+$/.test(opts.email)) throw invalidInput(`not an email: ${opts.email}`);
        process.stdout.write((await (await oidcProvider()).requestDevIdToken(opts.issuer, opts.email)) + '\n');
        return;
      }
      const kind: CiKind = opts.githubWorkflow !== undefined ? 'github' : 'gitlab';
      const claims = claimsFrom(kind, opts);
      if (opts.actionsEnv) {
        const env = await (await oidcProvider()).requestDevActionsCredentials(opts.issuer, claims);
        process.stdout.write(
          `export ACTIONS_ID_TOKEN_REQUEST_URL=${shellQuote(env.url)}\n` +
            `export ACTIONS_ID_TOKEN_REQUEST_TOKEN=${shellQuote(env.token)}\n`,
        );
        return;
      }
      process.stdout.write((await (await oidcProvider()).requestDevCiToken(opts.issuer, kind, claims)) + '\n');
    });
}

function claimsFrom(kind: CiKind, opts: TokenFlags): Record<string, string> {
  const claims: Record<string, string> =
    kind === 'github' ? { workflow_ref: opts.githubWorkflow! } : { project_path: opts.gitlabProjectPath! };
  for (const f of CLAIM_FLAGS) {
    const value = opts[f.flag];
    if (typeof value !== 'string') continue;
    const claim = f[kind];
    if (!claim) throw invalidInput(`${f.option.split(' ')[0]} does not apply to ${kind} tokens`);
    claims[claim] = value;
  }
  for (const kv of opts.claim) {
    const eq = kv.indexOf('=');
    if (eq < 1) throw invalidInput(`--claim takes name=value, not ${JSON.stringify(kv)}`);
    claims[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  return claims;
}

function checkIssuer(issuer: string): void {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw invalidInput(`--issuer is not a URL: ${issuer}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw invalidInput(`--issuer must be http or https: ${issuer}`);
  }
}

/** POSIX single quotes: the value stays one word whatever it holds. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
