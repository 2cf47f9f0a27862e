import { SignetError } from '../../errors.js';
import { CLIENT_ID } from './id-token.js';
import { DEV_EMAIL_GRANT } from './routes.js';

/**
 * Asks a running signet dev provider for an ID token in the name of `email` (the scripted grant): discovery first,
 * so a wrong `issuer` fails with a clear message instead of an odd 404.
 */
export async function requestDevIdToken(issuer: string, email: string, timeoutMs = 30_000): Promise<string> {
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
  if (!Array.isArray(config.grant_types_supported) || !config.grant_types_supported.includes(DEV_EMAIL_GRANT)) {
    throw new SignetError('unsupported', `${base} is not a signet dev identity provider`, {
      detail: { hint: 'scripted tokens come only from the dev provider of `signet up`' },
    });
  }
  const form = new URLSearchParams({ grant_type: DEV_EMAIL_GRANT, client_id: CLIENT_ID, email });
  const answer = (await call(config.token_endpoint, form, timeoutMs)) as { id_token?: unknown };
  if (typeof answer.id_token !== 'string') throw new SignetError('internal', 'the token response has no id_token');
  return answer.id_token;
}

async function call(url: string, form: URLSearchParams | undefined, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      body: form,
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = ((e as Error).cause as Error | undefined)?.message ?? (e as Error).message;
    throw new SignetError('pushback', `cannot reach ${url}: ${cause}`, {
      cause: e,
      detail: { hint: 'is `signet up` running? pass its issuer with --issuer http://HOST:PORT/oidc' },
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
