import { SignetError } from '../../errors.js';
import { nodeFetch } from '../../http-client/index.js';
import type { CiKind } from './ci-claims.js';
import { DEV_CI_GRANT } from './ci-routes.js';
import { CLIENT_ID } from './id-token.js';
import { DEV_EMAIL_GRANT } from './routes.js';

/**
 * Asks a running signet dev provider for an ID token in the name of `email` (the scripted grant): discovery first,
 * so a wrong `issuer` fails with a clear message instead of an odd 404.
 */
export async function requestDevIdToken(issuer: string, email: string, timeoutMs = 30_000): Promise<string> {
  const config = await devDiscovery(issuer, DEV_EMAIL_GRANT, timeoutMs);
  const form = new URLSearchParams({ grant_type: DEV_EMAIL_GRANT, client_id: CLIENT_ID, email });
  return idTokenOf(await call(config.token_endpoint, form, timeoutMs));
}

/**
 * Asks the dev provider's `kind` CI issuer (`<issuer>/github` or `<issuer>/gitlab`) for a workload token with
 * `claims` (by claim name: workflow_ref, sha, event_name... or project_path, ref, pipeline_source...).
 */
export async function requestDevCiToken(
  issuer: string,
  kind: CiKind,
  claims: Record<string, string>,
  timeoutMs = 30_000,
): Promise<string> {
  const config = await devDiscovery(`${issuer.replace(/\/+$/, '')}/${kind}`, DEV_CI_GRANT, timeoutMs);
  const form = new URLSearchParams({ grant_type: DEV_CI_GRANT, client_id: CLIENT_ID, ...claims });
  return idTokenOf(await call(config.token_endpoint, form, timeoutMs));
}

/**
 * Registers a GitHub Actions job with `claims` at the dev provider and returns what a runner puts in the job's
 * environment: ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN (valid for an hour).
 */
export async function requestDevActionsCredentials(
  issuer: string,
  claims: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ url: string; token: string }> {
  const base = `${issuer.replace(/\/+$/, '')}/github`;
  await devDiscovery(base, DEV_CI_GRANT, timeoutMs);
  const answer = (await call(`${base}/actions_request`, new URLSearchParams(claims), timeoutMs)) as Record<
    string,
    unknown
  >;
  if (typeof answer.url !== 'string' || typeof answer.token !== 'string') {
    throw new SignetError('internal', 'the actions request answer has no url or token');
  }
  return { url: answer.url, token: answer.token };
}

function idTokenOf(answer: unknown): string {
  const token = (answer as { id_token?: unknown }).id_token;
  if (typeof token !== 'string') throw new SignetError('internal', 'the token response has no id_token');
  return token;
}

async function devDiscovery(issuer: string, grant: string, timeoutMs: number) {
  const base = issuer.replace(/\/+$/, '');
  const config = (await call(`${base}/.well-known/openid-configuration`, undefined, timeoutMs)) as {
    issuer?: unknown;
    token_endpoint?: unknown;
    grant_types_supported?: unknown;
  };
  // The stack names itself by its public URL (e.g. 127.0.0.1 where the user typed localhost): the token's `iss`
  // is whatever the provider says, so only require a well-formed document here.
  if (typeof config.issuer !== 'string' || typeof config.token_endpoint !== 'string') {
    throw new SignetError('invalid-input', `${base} is not an OIDC issuer (no issuer or token_endpoint in discovery)`);
  }
  if (!Array.isArray(config.grant_types_supported) || !config.grant_types_supported.includes(grant)) {
    throw new SignetError('unsupported', `${base} is not a signet dev identity provider`, {
      detail: { hint: 'scripted tokens come only from the dev provider of `signet up`' },
    });
  }
  return { token_endpoint: config.token_endpoint };
}

async function call(url: string, form: URLSearchParams | undefined, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    // node:http, not fetch: undici's load would about double a `signet oidc token` run.
    res = await nodeFetch(url, {
      method: form ? 'POST' : 'GET',
      body: form?.toString(),
      headers: {
        accept: 'application/json',
        ...(form && { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }),
      },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = ((e as Error).cause as Error | undefined)?.message ?? (e as Error).message;
    throw new SignetError('pushback', `cannot reach ${url}: ${cause}`, {
      cause: e,
      detail: { option: 'devIssuer' },
    });
  }
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // reported below
  }
  if (!res.ok) {
    const why = typeof body.error_description === 'string' ? body.error_description : `http ${res.status}`;
    throw new SignetError(res.status === 404 ? 'not-found' : 'invalid-input', `${url}: ${why}`);
  }
  if (typeof body !== 'object' || body === null) throw new SignetError('invalid-input', `${url} did not answer JSON`);
  return body;
}
